package conf

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// EnvVar holds extra command-line arguments, as GUNICORN_CMD_ARGS does
// for gunicorn.
const EnvVar = "GWSGI_CMD_ARGS"

// EnvArgs splits the value of EnvVar with SplitArgs; nil if it is not set.
func EnvArgs() ([]string, error) {
	s, ok := os.LookupEnv(EnvVar)
	if !ok {
		return nil, nil
	}
	args, err := SplitArgs(s)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", EnvVar, err)
	}
	return args, nil
}

// Errors of SplitArgs, as Python's shlex words them.
var (
	ErrNoClosingQuote = errors.New("no closing quotation")
	ErrNoEscaped      = errors.New("no escaped character")
)

// SplitArgs splits s into arguments as gunicorn splits GUNICORN_CMD_ARGS,
// with Python's shlex.split (POSIX mode, no comments): space, tab, CR and
// LF separate arguments; a backslash outside quotes takes the next
// character as it is; single quotes take everything up to the next single
// quote as it is; in double quotes a backslash escapes only a double quote
// or a backslash and is otherwise kept. Quoted parts join the unquoted
// ones next to them, and "" or ” alone is an empty argument. An unclosed
// quote or a backslash at the end is an error.
func SplitArgs(s string) ([]string, error) {
	var (
		args  []string
		arg   strings.Builder
		inArg bool // an argument has begun, if only with empty quotes
		quote byte // the quote s[i] is inside, 0 for none
	)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'':
			if c == '\'' {
				quote = 0
			} else {
				arg.WriteByte(c)
			}
		case quote == '"':
			switch {
			case c == '"':
				quote = 0
			case c != '\\':
				arg.WriteByte(c)
			case i+1 == len(s):
				return nil, ErrNoEscaped
			default:
				i++
				if s[i] != '"' && s[i] != '\\' {
					arg.WriteByte('\\')
				}
				arg.WriteByte(s[i])
			}
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			if inArg {
				args = append(args, arg.String())
				arg.Reset()
				inArg = false
			}
		case c == '\\':
			if i+1 == len(s) {
				return nil, ErrNoEscaped
			}
			i++
			arg.WriteByte(s[i])
			inArg = true
		case c == '\'' || c == '"':
			quote = c
			inArg = true
		default:
			arg.WriteByte(c)
			inArg = true
		}
	}
	if quote != 0 {
		return nil, ErrNoClosingQuote
	}
	if inArg {
		args = append(args, arg.String())
	}
	return args, nil
}
