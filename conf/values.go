package conf

import (
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// The converters below accept what gunicorn's validators accept (a few
// also accept more) and turn it into "--flag=value" arguments; a value
// that is None where gunicorn's default stands gives no argument.

// stringFlag is gunicorn's validate_string: a str, stripped, or None.
func stringFlag(flag string, v any) ([]string, error) {
	s, ok, err := asString(v)
	if !ok {
		return nil, err
	}
	return []string{flag + "=" + s}, nil
}

// intFlag is gunicorn's validate_pos_int: an int (True and False count as
// 1 and 0) or a str Python's int(s, 0) reads, not negative.
func intFlag(flag string, v any) ([]string, error) {
	n, err := asInt(v)
	if err != nil {
		return nil, err
	}
	return []string{flag + "=" + strconv.FormatInt(n, 10)}, nil
}

// boolFlag is gunicorn's validate_bool: a bool, "true" or "false" in any
// case, or None. True gives the bare flag, false nothing.
func boolFlag(flag string, v any) ([]string, error) {
	b, err := asBool(v)
	if err != nil || !b {
		return nil, err
	}
	return []string{flag}, nil
}

// listFlag is gunicorn's validate_list_string: a list of str, or one str;
// a false value (None, "", []) is the empty list. Each string is one flag.
func listFlag(flag string, v any) ([]string, error) {
	ss, err := asStrings(v)
	if err != nil {
		return nil, err
	}
	var args []string
	for _, s := range ss {
		args = append(args, flag+"="+s)
	}
	return args, nil
}

// addrsFlag is gunicorn's validate_string_to_list: a comma-separated str
// or, beyond gunicorn, a list of str; None is the empty list. The
// addresses are joined with commas into one flag, even when there are none
// ("--forwarded-allow-ips=": no address is trusted).
func addrsFlag(flag string, v any) ([]string, error) {
	var parts []string
	switch v := v.(type) {
	case nil:
	case string:
		parts = strings.Split(v, ",")
	case []any:
		for _, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, errors.New("not a comma-separated str or a list of str")
			}
			parts = append(parts, s)
		}
	default:
		return nil, errors.New("not a comma-separated str or a list of str")
	}
	var addrs []string
	for _, p := range parts {
		if p = strings.TrimSpace(p); p != "" {
			addrs = append(addrs, p)
		}
	}
	return []string{flag + "=" + strings.Join(addrs, ",")}, nil
}

// umaskFlag is gunicorn's umask: an int, or a str such as "0o22", "0x12"
// or, as gunicorn's command line reads it, "022" (octal). It is passed in
// octal: "--umask=0o22".
func umaskFlag(flag string, v any) ([]string, error) {
	if s, ok := v.(string); ok && len(s) > 1 && s[0] == '0' && s[1] >= '0' && s[1] <= '9' {
		v = "0o" + s[1:]
	}
	n, err := asInt(v)
	if err != nil {
		return nil, err
	}
	return []string{flag + "=0o" + strconv.FormatInt(n, 8)}, nil
}

// idFlag is gunicorn's validate_user and validate_group: a numeric id, or
// a name (or a str of digits); None is gunicorn's default, the current
// user or group.
func idFlag(flag string, v any) ([]string, error) {
	switch v := v.(type) {
	case nil:
		return nil, nil
	case string:
		return []string{flag + "=" + v}, nil
	case json.Number:
		if _, err := strconv.ParseInt(string(v), 10, 64); err != nil {
			return nil, errors.New("not an id or a name")
		}
		return []string{flag + "=" + string(v)}, nil
	}
	return nil, errors.New("not an id or a name")
}

// headersFlag takes gunicorn's secure_scheme_headers, a dict of header
// names to the values that mark a request as https, as one
// "--secure-scheme-header=NAME=VALUE" per header, sorted by name. As in
// gunicorn the dict replaces the default one; an empty dict, which trusts
// no header, is the one flag "--secure-scheme-header=".
func headersFlag(flag string, v any) ([]string, error) {
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("not a dict")
	}
	if len(m) == 0 {
		return []string{flag + "="}, nil
	}
	names := make([]string, 0, len(m))
	for name := range m {
		if name == "" || strings.ContainsAny(name, "= \t") {
			return nil, fmt.Errorf("%s is not a header name", pyRepr(name))
		}
		names = append(names, name)
	}
	sort.Strings(names)
	args := make([]string, 0, len(m))
	for _, name := range names {
		value, ok := m[name].(string)
		if !ok {
			return nil, fmt.Errorf("the value of %s is not a str", pyRepr(name))
		}
		args = append(args, flag+"="+name+"="+value)
	}
	return args, nil
}

// sendfileFlag takes sendfile = True (or None), which gwsgi does anyway,
// and refuses False.
func sendfileFlag(_ string, v any) ([]string, error) {
	b, err := asBool(v)
	if err != nil {
		return nil, err
	}
	if v != nil && !b {
		return nil, errors.New("not supported: " + whySendfile)
	}
	return nil, nil
}

// ignore takes any value and gives no flag.
func ignore(string, any) ([]string, error) { return nil, nil }

// asString is validate_string: ok is false for None.
func asString(v any) (s string, ok bool, err error) {
	switch v := v.(type) {
	case nil:
		return "", false, nil
	case string:
		return strings.TrimSpace(v), true, nil
	}
	return "", false, errors.New("not a str")
}

// asBool is validate_bool; None is false.
func asBool(v any) (bool, error) {
	switch v := v.(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, errors.New("not a bool (True, False, 'true' or 'false')")
}

// asInt is validate_pos_int.
func asInt(v any) (int64, error) {
	var n int64
	var err error
	switch v := v.(type) {
	case bool:
		if v {
			n = 1
		}
	case json.Number:
		n, err = strconv.ParseInt(string(v), 10, 64)
	case string:
		n, err = parsePyInt(v)
	default:
		err = errors.New("not an int")
	}
	if err != nil {
		return 0, errors.New("not an int")
	}
	if n < 0 {
		return 0, errors.New("negative: it must be 0 or more")
	}
	return n, nil
}

// parsePyInt reads s as Python's int(s, 0) does: surrounding space, a
// sign, a 0x, 0o or 0b prefix or none, and underscores between digits; a
// decimal may not start with 0 unless it is all zeros.
func parsePyInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	digits := strings.TrimLeft(s, "+-")
	if len(s)-len(digits) > 1 {
		return 0, strconv.ErrSyntax
	}
	if len(digits) > 1 && digits[0] == '0' && !strings.ContainsRune("xXoObB", rune(digits[1])) {
		if strings.Trim(digits, "0_") != "" || strings.Contains(digits, "__") || strings.HasSuffix(digits, "_") {
			return 0, strconv.ErrSyntax
		}
		return 0, nil
	}
	return strconv.ParseInt(s, 0, 64)
}

// asStrings is validate_list_string.
func asStrings(v any) ([]string, error) {
	if falsy(v) {
		return nil, nil
	}
	switch v := v.(type) {
	case string:
		return []string{strings.TrimSpace(v)}, nil
	case []any:
		ss := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("%s in the list is not a str", pyRepr(e))
			}
			ss[i] = strings.TrimSpace(s)
		}
		return ss, nil
	}
	return nil, errors.New("not a list of str")
}

// falsy reports whether Python would find v false.
func falsy(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case bool:
		return !v
	case string:
		return v == ""
	case json.Number:
		f, err := v.Float64()
		return err == nil && f == 0
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// isOff is inert for a boolean setting: None, False or "false".
func isOff(v any) bool {
	b, err := asBool(v)
	return err == nil && !b
}

// isEmpty is inert for a setting whose default is None or empty: None, a
// blank str, an empty list or dict.
func isEmpty(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case []any:
		return len(v) == 0
	case map[string]any:
		return len(v) == 0
	}
	return false
}

// isOneOf is inert for a str setting: None or one of values.
func isOneOf(values ...string) func(any) bool {
	return func(v any) bool {
		if v == nil {
			return true
		}
		s, ok := v.(string)
		for _, value := range values {
			if ok && strings.TrimSpace(s) == value {
				return true
			}
		}
		return false
	}
}

// pyRepr writes v, a JSON-decoded value, roughly as Python's repr would.
func pyRepr(v any) string {
	switch v := v.(type) {
	case nil:
		return "None"
	case bool:
		if v {
			return "True"
		}
		return "False"
	case json.Number:
		return string(v)
	case string:
		q := strconv.Quote(v)
		if strings.Contains(v, "'") {
			return q
		}
		return "'" + strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`) + "'"
	case []any:
		parts := make([]string, len(v))
		for i, e := range v {
			parts[i] = pyRepr(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = pyRepr(k) + ": " + pyRepr(v[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return fmt.Sprint(v)
}
