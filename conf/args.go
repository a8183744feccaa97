package conf

import (
	"fmt"
	"sort"
	"strings"
)

// Args maps f's settings to gwsgi flags, each one argument of the form
// "--flag=value" (or "--flag" for a boolean that is true), in the order of
// the settings' names, and returns the app wsgi_app names ("" if none)
// apart, since it is a positional argument.
//
// A setting gwsgi does not support, a value of the wrong type and a value
// gwsgi cannot express are errors; all of them are reported together, as
// a *SettingsError. A setting gwsgi does not support is accepted when its
// value asks for nothing gwsgi does not do (daemon = False, certfile =
// None), and a few settings that have no effect in gwsgi are accepted and
// ignored (see the package documentation). Server hooks are not settings
// here: see CheckHooks.
func (f *File) Args() (flags []string, app string, err error) {
	var errs []*SettingError
	for name, why := range f.Invalid {
		errs = append(errs, &SettingError{Name: name, Reason: why})
	}
	names := make([]string, 0, len(f.Settings))
	for name := range f.Settings {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		v := f.Settings[name]
		var args []string
		var err error
		if name == "wsgi_app" {
			app, _, err = asString(v)
		} else {
			args, err = settingArgs(name, v)
		}
		if err != nil {
			errs = append(errs, &SettingError{Name: name, Value: pyRepr(v), Reason: err.Error()})
			continue
		}
		flags = append(flags, args...)
	}
	if len(errs) > 0 {
		sort.Slice(errs, func(i, j int) bool { return errs[i].Name < errs[j].Name })
		return nil, "", &SettingsError{Path: f.Path, Errs: errs}
	}
	return flags, app, nil
}

// settingArgs is the arguments one setting becomes.
func settingArgs(name string, v any) ([]string, error) {
	r, ok := rules[name]
	if !ok {
		r, ok = ownRules[name]
	}
	switch {
	case !ok:
		return nil, fmt.Errorf("not a gunicorn setting")
	case r.to != nil:
		return r.to(r.flag, v)
	case r.inert(v):
		return nil, nil
	}
	return nil, fmt.Errorf("not supported: %s", r.why)
}

// SettingError is one setting gwsgi cannot take.
type SettingError struct {
	Name   string // the setting
	Value  string // its value as Python would print it; "" when not known
	Reason string // why gwsgi cannot take it, and what to do instead
}

func (e *SettingError) Error() string {
	if e.Value == "" {
		return e.Name + ": " + e.Reason
	}
	return e.Name + " = " + e.Value + ": " + e.Reason
}

// SettingsError is every setting of a config file gwsgi cannot take.
type SettingsError struct {
	Path string
	Errs []*SettingError // sorted by setting name
}

func (e *SettingsError) Error() string {
	if len(e.Errs) == 1 {
		return e.Path + ": " + e.Errs[0].Error()
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %d settings gwsgi cannot take:", e.Path, len(e.Errs))
	for _, se := range e.Errs {
		b.WriteString("\n  ")
		b.WriteString(se.Error())
	}
	return b.String()
}

// Unwrap gives the errors of each setting.
func (e *SettingsError) Unwrap() []error {
	errs := make([]error, len(e.Errs))
	for i, se := range e.Errs {
		errs[i] = se
	}
	return errs
}
