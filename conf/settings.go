package conf

// rule says what becomes of one gunicorn setting.
type rule struct {
	// flag is the gwsgi flag the setting becomes, with its dashes.
	flag string
	// to turns a value into arguments; nil for a setting gwsgi does not
	// take.
	to func(flag string, v any) ([]string, error)
	// why says, for a setting gwsgi does not take or ignores, why, or what
	// to use instead.
	why string
	// inert reports whether a value of a setting gwsgi does not take asks
	// for nothing gwsgi does not do (gunicorn's default, or off): such a
	// value is accepted.
	inert func(v any) bool
}

// Reasons shared by several settings.
const (
	whyTLS      = "gwsgi does not terminate TLS: terminate it in a proxy (nginx, haproxy, a load balancer) and set forwarded_allow_ips so that its X-Forwarded-Proto is trusted"
	whyLogging  = "gwsgi's logging is set by accesslog, errorlog, loglevel, access_log_format and capture_output"
	whyPaste    = "gwsgi serves a WSGI app named module:callable (wsgi_app), not PasteDeploy"
	whySendfile = "gwsgi sends wsgi.file_wrapper files with sendfile(2), and cannot be told not to"
)

// rules covers every setting of gunicorn 20.1 but its server hooks (see
// hooks). The flags are gwsgi's, which follow gunicorn's names.
var rules = map[string]rule{
	// Taken, as flags.
	"bind":                     {flag: "--bind", to: listFlag},
	"workers":                  {flag: "--workers", to: intFlag},
	"threads":                  {flag: "--threads", to: intFlag},
	"backlog":                  {flag: "--backlog", to: intFlag},
	"timeout":                  {flag: "--timeout", to: intFlag},
	"graceful_timeout":         {flag: "--graceful-timeout", to: intFlag},
	"keepalive":                {flag: "--keep-alive", to: intFlag},
	"max_requests":             {flag: "--max-requests", to: intFlag},
	"max_requests_jitter":      {flag: "--max-requests-jitter", to: intFlag},
	"limit_request_line":       {flag: "--limit-request-line", to: intFlag},
	"limit_request_fields":     {flag: "--limit-request-fields", to: intFlag},
	"limit_request_field_size": {flag: "--limit-request-field_size", to: intFlag},
	"worker_connections":       {flag: "--worker-connections", to: intFlag},
	"raw_env":                  {flag: "--env", to: listFlag},
	"pidfile":                  {flag: "--pid", to: stringFlag},
	"umask":                    {flag: "--umask", to: umaskFlag},
	"worker_class":             {flag: "--worker-class", to: stringFlag},
	"accesslog":                {flag: "--access-logfile", to: stringFlag},
	"access_log_format":        {flag: "--access-logformat", to: stringFlag},
	"errorlog":                 {flag: "--error-logfile", to: stringFlag},
	"loglevel":                 {flag: "--log-level", to: stringFlag},
	"capture_output":           {flag: "--capture-output", to: boolFlag},
	"forwarded_allow_ips":      {flag: "--forwarded-allow-ips", to: addrsFlag},
	"secure_scheme_headers":    {flag: "--secure-scheme-header", to: headersFlag},
	"proxy_protocol":           {flag: "--proxy-protocol", to: boolFlag},
	"proxy_allow_ips":          {flag: "--proxy-allow-from", to: addrsFlag},
	"chdir":                    {flag: "--chdir", to: stringFlag},
	"pythonpath":               {flag: "--pythonpath", to: stringFlag},
	"proc_name":                {flag: "--name", to: stringFlag},
	"user":                     {flag: "--user", to: idFlag},
	"group":                    {flag: "--group", to: idFlag},
	"reuse_port":               {flag: "--reuse-port", to: boolFlag},
	"check_config":             {flag: "--check-config", to: boolFlag},
	"print_config":             {flag: "--print-config", to: boolFlag},
	// A str, or None: Args returns it as the app, a positional argument.
	"wsgi_app": {to: ignore},

	// Accepted, and ignored.
	"sendfile":                          {to: sendfileFlag, why: whySendfile},
	"config":                            {to: ignore, why: "naming a config file inside one has no effect, in gunicorn either"},
	"worker_tmp_dir":                    {to: ignore, why: "gwsgi workers keep no heartbeat file"},
	"tmp_upload_dir":                    {to: ignore, why: "gunicorn itself does not use it"},
	"enable_stdio_inheritance":          {to: ignore, why: "it only matters with daemon"},
	"disable_redirect_access_to_syslog": {to: ignore, why: "it only matters with syslog"},
	"syslog_addr":                       {to: ignore, why: "it only matters with syslog"},
	"syslog_prefix":                     {to: ignore, why: "it only matters with syslog"},
	"syslog_facility":                   {to: ignore, why: "it only matters with syslog"},
	"statsd_prefix":                     {to: ignore, why: "it only matters with statsd_host"},
	"dogstatsd_tags":                    {to: ignore, why: "it only matters with statsd_host"},
	"reload_engine":                     {to: ignore, why: "it only matters with reload"},
	"reload_extra_files":                {to: ignore, why: "it only matters with reload"},
	"ssl_version":                       {to: ignore, why: "it only matters with certfile and keyfile"},
	"cert_reqs":                         {to: ignore, why: "it only matters with certfile and keyfile"},
	"ca_certs":                          {to: ignore, why: "it only matters with certfile and keyfile"},
	"suppress_ragged_eofs":              {to: ignore, why: "it only matters with certfile and keyfile"},
	"do_handshake_on_connect":           {to: ignore, why: "it only matters with certfile and keyfile"},
	"ciphers":                           {to: ignore, why: "it only matters with certfile and keyfile"},

	// Not taken, but for values that ask for nothing.
	"daemon":                     {inert: isOff, why: "gwsgi runs in the foreground: run it under a supervisor (systemd, a container, supervisord)"},
	"preload_app":                {inert: isOff, why: "gwsgi's master never imports Python: each worker imports the app itself, as gunicorn does without preload_app"},
	"reload":                     {inert: isOff, why: "send SIGHUP to the master to replace the workers with ones that import the app afresh"},
	"spew":                       {inert: isOff, why: "gwsgi has no line-by-line trace of the server"},
	"initgroups":                 {inert: isOff, why: "gwsgi sets no supplementary groups"},
	"strip_header_spaces":        {inert: isOff, why: "gwsgi answers 400 to a header with spaces before its colon, as RFC 9112 requires"},
	"tolerate_dangerous_framing": {inert: isOff, why: "gwsgi answers 400 to a request with ambiguous framing"},
	"syslog":                     {inert: isOff, why: "gwsgi logs to files or standard error (errorlog, accesslog): let the supervisor or journald forward them"},
	"statsd_host":                {inert: isEmpty, why: "gwsgi sends no StatsD metrics"},
	"logconfig":                  {inert: isEmpty, why: whyLogging},
	"logconfig_dict":             {inert: isEmpty, why: whyLogging},
	"logger_class":               {inert: isOneOf("gunicorn.glogging.Logger", "simple"), why: whyLogging},
	"default_proc_name":          {inert: isOneOf("gunicorn"), why: "set proc_name"},
	"keyfile":                    {inert: isEmpty, why: whyTLS},
	"certfile":                   {inert: isEmpty, why: whyTLS},
	"paste":                      {inert: isEmpty, why: whyPaste},
	"raw_paste_global_conf":      {inert: isEmpty, why: whyPaste},
}

// ownRules are gwsgi's settings that gunicorn does not have (gunicorn
// ignores them in its config files): what gwsgi serves in Go, before or
// around the app.
var ownRules = map[string]rule{
	"static_map":          {flag: "--static-map", to: listFlag},
	"static_max_age":      {flag: "--static-max-age", to: intFlag},
	"compress":            {flag: "--compress", to: boolFlag},
	"compress_min_size":   {flag: "--compress-min-size", to: intFlag},
	"compress_types":      {flag: "--compress-types", to: addrsFlag},
	"compress_encodings":  {flag: "--compress-encodings", to: addrsFlag},
	"compress_gzip_level": {flag: "--compress-gzip-level", to: intFlag},
	"compress_zstd_level": {flag: "--compress-zstd-level", to: intFlag},
}
