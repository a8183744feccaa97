package conf

import (
	"fmt"
	"sort"
	"strings"
)

// hook is one of gunicorn's server hooks.
type hook struct {
	arities []int // numbers of positional parameters gunicorn accepts
	run     bool  // gwsgi runs it
}

// hooks are gunicorn's server hooks (ssl_context since gunicorn 21).
// gwsgi runs those of a worker's life and requests; the master's, which
// would need Python in the master, it does not.
var hooks = map[string]hook{
	"post_fork":        {arities: []int{2}, run: true},
	"post_worker_init": {arities: []int{1}, run: true},
	"pre_request":      {arities: []int{2}, run: true},
	"post_request":     {arities: []int{2, 3, 4}, run: true},
	"worker_exit":      {arities: []int{2}, run: true},
	"child_exit":       {arities: []int{2}, run: true},

	"on_starting":      {arities: []int{1}},
	"on_reload":        {arities: []int{1}},
	"when_ready":       {arities: []int{1}},
	"pre_fork":         {arities: []int{2}},
	"worker_int":       {arities: []int{1}},
	"worker_abort":     {arities: []int{1}},
	"pre_exec":         {arities: []int{1}},
	"nworkers_changed": {arities: []int{3}},
	"on_exit":          {arities: []int{1}},
	"ssl_context":      {arities: []int{2}},
}

// SupportedHook reports whether gwsgi runs the gunicorn server hook name:
// post_fork, post_worker_init, pre_request, post_request, worker_exit and
// child_exit.
func SupportedHook(name string) bool {
	return hooks[name].run
}

// IsHook reports whether name is one of gunicorn's server hooks.
func IsHook(name string) bool {
	_, ok := hooks[name]
	return ok
}

// UnsupportedHooks are the hooks f defines that gwsgi does not run,
// sorted.
func (f *File) UnsupportedHooks() []string {
	var names []string
	for _, name := range f.Hooks {
		if !SupportedHook(name) {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// CheckHooks returns an error naming the hooks f defines that gwsgi does
// not run, or nil if it runs them all.
func (f *File) CheckHooks() error {
	bad := f.UnsupportedHooks()
	if len(bad) == 0 {
		return nil
	}
	var run []string
	for name, h := range hooks {
		if h.run {
			run = append(run, name)
		}
	}
	sort.Strings(run)
	return fmt.Errorf("%s: server hooks gwsgi does not run: %s (it runs %s)",
		f.Path, strings.Join(bad, ", "), strings.Join(run, ", "))
}
