// Package conf reads gunicorn's configuration sources, a config file
// (gunicorn.conf.py) and GWSGI_CMD_ARGS, the counterpart of
// GUNICORN_CMD_ARGS, and turns them into gwsgi command-line arguments, so
// that one flag parser handles every source.
//
// # Config files
//
// A config file is Python. The master process never runs Python itself,
// so Load evaluates the file in a python3 subprocess, the way gunicorn
// does (importlib executes it as the module __config__ in the current
// directory), and reads back, as JSON, the module's globals that do not
// start with "_":
//
//   - a gunicorn setting name (bind, workers, ...) is a setting, its value
//     converted to JSON (tuples become lists); a value JSON cannot carry,
//     such as a class or bytes, is recorded in File.Invalid;
//   - a server hook name (post_fork, on_starting, ...) is a hook when it
//     is a callable taking gunicorn's number of positional arguments, or
//     an import string naming one, as gunicorn checks; otherwise it is
//     recorded in File.Invalid;
//   - any other name is ignored, as gunicorn ignores it; those that are
//     not modules, classes, functions or other callables (helper
//     variables, misspelt settings) are listed in File.Unknown.
//
// The set of names is gunicorn 20.1's, plus the ssl_context hook of later
// versions; settings only later versions know are therefore Unknown. The
// subprocess does not import gunicorn, which need not be installed.
//
// # Settings and flags
//
// File.Args turns the settings into flags, sorted by setting name, each one
// argument: "--flag=value", or "--flag" for a true boolean (a false one
// gives nothing); a list gives its flag once per element. Values are
// checked as gunicorn's validators check them: str settings take a str
// (stripped), integers an int (True is 1) or a str such as "0x10", never
// negative, booleans a bool or "true"/"false", lists a list of str or one
// str. None gives no flag, leaving gunicorn's default, except where
// gunicorn refuses it (integers) or reads it as empty (see below).
//
//	bind                       --bind (one per address; a str is one address)
//	workers                    --workers
//	threads                    --threads
//	backlog                    --backlog
//	timeout                    --timeout
//	graceful_timeout           --graceful-timeout
//	keepalive                  --keep-alive
//	max_requests               --max-requests
//	max_requests_jitter        --max-requests-jitter
//	limit_request_line         --limit-request-line
//	limit_request_fields       --limit-request-fields
//	limit_request_field_size   --limit-request-field_size
//	worker_connections         --worker-connections
//	raw_env                    --env (one per KEY=VALUE)
//	pidfile                    --pid
//	umask                      --umask, in octal (0o22); an int, "0o22" or "022"
//	worker_class               --worker-class
//	accesslog                  --access-logfile
//	access_log_format          --access-logformat
//	errorlog                   --error-logfile
//	loglevel                   --log-level
//	capture_output             --capture-output
//	forwarded_allow_ips        --forwarded-allow-ips, comma-joined (a str or a list)
//	proxy_protocol             --proxy-protocol
//	proxy_allow_ips            --proxy-allow-from, comma-joined (a str or a list)
//	secure_scheme_headers      --secure-scheme-header=NAME=VALUE, one per header
//	chdir                      --chdir
//	pythonpath                 --pythonpath
//	proc_name                  --name
//	user                       --user (an id or a name)
//	group                      --group (an id or a name)
//	reuse_port                 --reuse-port
//	check_config               --check-config
//	print_config               --print-config
//	wsgi_app                   the app, a positional argument Args returns apart
//
// forwarded_allow_ips and proxy_allow_ips always give their flag, with an
// empty value when the list is empty (None, as in gunicorn, is the empty
// list: no address is trusted). secure_scheme_headers replaces gunicorn's
// default dict, as it does in gunicorn; an empty dict gives the one flag
// "--secure-scheme-header=", which trusts no header.
//
// Settings that have no effect in gwsgi are accepted and ignored, whatever
// their value: sendfile when True or None (gwsgi always sends
// wsgi.file_wrapper files with sendfile(2); False is refused), config,
// worker_tmp_dir (gwsgi workers keep no heartbeat file), tmp_upload_dir
// (unused by gunicorn too), and the settings that only matter with a
// setting gwsgi refuses (enable_stdio_inheritance with daemon;
// syslog_addr, syslog_prefix, syslog_facility and
// disable_redirect_access_to_syslog with syslog; statsd_prefix and
// dogstatsd_tags with statsd_host; reload_engine and reload_extra_files
// with reload; ssl_version, cert_reqs, ca_certs, suppress_ragged_eofs,
// do_handshake_on_connect and ciphers with certfile and keyfile).
//
// The other settings gwsgi does not support, and refuses with a reason
// unless their value asks for nothing (False, None, empty, or gunicorn's
// default): daemon, preload_app, reload, spew, initgroups,
// strip_header_spaces, tolerate_dangerous_framing, syslog, statsd_host,
// logconfig, logconfig_dict, logger_class, default_proc_name, keyfile,
// certfile, paste and raw_paste_global_conf.
//
// # Server hooks
//
// gwsgi runs the hooks of a worker's life and of requests: post_fork,
// post_worker_init, pre_request, post_request, worker_exit and child_exit
// (SupportedHook). The master's hooks (on_starting, on_reload, when_ready,
// pre_fork, worker_int, worker_abort, pre_exec, nworkers_changed, on_exit)
// and ssl_context it does not; File.UnsupportedHooks lists those a file
// defines, and File.CheckHooks makes an error of them.
//
// # Order of the sources
//
// gunicorn reads the config file named by -c on the command line, else by
// -c in GUNICORN_CMD_ARGS, else ./gunicorn.conf.py if there is one
// (DefaultLocation); then it applies the file, then GUNICORN_CMD_ARGS, then
// the command line, each later source overriding the earlier ones. A later
// source that sets a list (--bind, --env) replaces the list rather than
// extending it. An app named on the command line wins over wsgi_app, and
// positional arguments in GUNICORN_CMD_ARGS are ignored. Parsing Args,
// then EnvArgs, then the command line with one flag parser follows that
// order, provided each list flag is reset when a later source first sets
// it.
package conf
