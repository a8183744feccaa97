from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect
from django.views.decorators.csrf import csrf_exempt


def index(request):
    return HttpResponse("Hello from Django on gwsgi!\n", content_type="text/plain")


def json_view(request):
    return JsonResponse({"message": "hello", "query": request.GET.dict(), "method": request.method})


@csrf_exempt
def form(request):
    if request.method != "POST":
        return HttpResponse('<form method="post"><input name="name"><button>send</button></form>')
    return JsonResponse({"form": {k: request.POST.getlist(k) for k in request.POST}})


@csrf_exempt
def upload(request):
    files = {name: {"name": f.name, "size": f.size} for name, f in request.FILES.items()}
    return JsonResponse({"files": files})


def cookie(request):
    response = JsonResponse({"cookies": request.COOKIES})
    response.set_cookie("flavour", "oatmeal", httponly=True)
    return response


def go_elsewhere(request):
    return redirect("json")


def stream(request):
    return StreamingHttpResponse(("line %d\n" % i for i in range(5)), content_type="text/plain")


def missing(request):
    raise Http404("no such page")
