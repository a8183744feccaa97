package main

import (
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/gwsgi/gwsgi/conf"
)

// python runs a gunicorn config file, in a subprocess of its own.
const python = "/usr/bin/python3"

// configSources is what the gunicorn config file and GWSGI_CMD_ARGS say.
type configSources struct {
	// args are each source's flags, to be parsed before the command
	// line's: the file's, then GWSGI_CMD_ARGS's.
	args [][]string
	app  string // the app the file names (wsgi_app), "" if none
	// hookFile is the file's absolute path when it defines server hooks
	// gwsgi runs, "" otherwise; hooks names them.
	hookFile string
	hooks    []string
}

// configArgs reads the gunicorn config file (-c/--config on the command
// line, else in GWSGI_CMD_ARGS, else ./gunicorn.conf.py if it exists) and
// GWSGI_CMD_ARGS. A file that defines server hooks gwsgi does not run is
// refused.
func configArgs(fs *flag.FlagSet, cmdline []string) (*configSources, error) {
	env, err := conf.EnvArgs()
	if err != nil {
		return nil, err
	}
	location := configFlag(cmdline)
	if location == "" {
		location = configFlag(env)
	}
	if location == "" {
		location = conf.DefaultLocation()
	}
	src := &configSources{}
	if location != "" {
		f, err := conf.Load(python, location)
		if err != nil {
			return nil, fmt.Errorf("-c %s: %w", location, err)
		}
		if err := f.CheckHooks(); err != nil {
			return nil, err
		}
		flags, fileApp, err := f.Args()
		if err != nil {
			return nil, err
		}
		src.args, src.app = append(src.args, flags), fileApp
		if len(f.Hooks) > 0 {
			src.hookFile, src.hooks = f.Path, f.Hooks
		}
	}
	src.args = append(src.args, dropPositional(fs, env))
	return src, nil
}

// configFlag finds -c/--config's value in args, "" if absent.
func configFlag(args []string) string {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		for _, name := range []string{"-c", "--config", "-config"} {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
			if v, ok := strings.CutPrefix(a, name+"="); ok {
				return v
			}
		}
	}
	return ""
}

// dropPositional leaves out the positional arguments of GWSGI_CMD_ARGS,
// which gunicorn ignores in GUNICORN_CMD_ARGS: flags only. A flag's value
// given as the next argument is kept.
func dropPositional(fs *flag.FlagSet, args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			continue
		}
		out = append(out, a)
		if !strings.Contains(a, "=") && i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") && !isBoolFlag(fs, a) {
			out = append(out, args[i+1])
			i++
		}
	}
	return out
}

// isBoolFlag reports whether a names a flag of fs that takes no value.
func isBoolFlag(fs *flag.FlagSet, a string) bool {
	f := fs.Lookup(strings.TrimLeft(a, "-"))
	if f == nil {
		return false
	}
	b, ok := f.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// printConfig writes every setting as "name = value", sorted, the way
// gunicorn's --print-config does.
func printConfig(o *options, w io.Writer) {
	lists := map[string][]string{"bind": o.bindStrings(), "env": o.env, "pythonpath": o.pythonPath,
		"secure-scheme-header": o.proxies.schemeHeaders, "static-map": o.files.staticMaps}
	fmt.Fprintf(w, "%-28s = %s\n", "app", o.app)
	o.fs.VisitAll(func(f *flag.Flag) {
		v := f.Value.String()
		if l, ok := lists[f.Name]; ok {
			v = strings.Join(l, ", ")
		}
		if len(f.Name) > 1 {
			fmt.Fprintf(w, "%-28s = %s\n", f.Name, v)
		}
	})
}

// checkConfig imports the app, as a worker would, and reports.
func checkConfig(o *options) error {
	if o.app != "" {
		app, err := loadPython(o)
		if err != nil {
			return err
		}
		closeApp(o, app)
	}
	o.log.Printf("gwsgi: the configuration is correct")
	return nil
}

// bindStrings are the binds as -b spells them.
func (o *options) bindStrings() []string {
	binds := make([]string, len(o.binds))
	for i, b := range o.binds {
		binds[i] = b.String()
	}
	return binds
}
