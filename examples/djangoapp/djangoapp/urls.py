from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("json", views.json_view, name="json"),
    path("form", views.form),
    path("upload", views.upload),
    path("cookie", views.cookie),
    path("redirect", views.go_elsewhere),
    path("stream", views.stream),
    path("missing", views.missing),
]
