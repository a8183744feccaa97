package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// nginx, the static workload's yardstick: Debian's build with a
// configuration written for each run into a directory of its own under the
// invocation's scratch directory, so that it runs without root's paths
// (pid file, logs, temporary files) and as the current user.

const nginxMimeTypes = "/etc/nginx/mime.types"

// nginxBinary is Debian's nginx, in /usr/sbin whether or not that is on
// PATH.
func nginxBinary() string {
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	return "/usr/sbin/nginx"
}

func nginxCheck() error {
	for _, p := range []string{nginxBinary(), nginxMimeTypes} {
		if _, err := os.Stat(p); err != nil {
			return fmt.Errorf("nginx: %v", err)
		}
	}
	return nil
}

// nginxDir is the run's nginx directory: prefix, configuration, pid file
// and temporary files.
func nginxDir(s *settings, addr string) string {
	return filepath.Join(s.tmp, "nginx-"+strings.NewReplacer(":", "-", "[", "", "]", "", "/", "-").Replace(addr))
}

// nginxArgv runs nginx in the foreground on the run's configuration; -e
// sends the errors it logs before reading it to stderr, not to
// /var/log/nginx.
func nginxArgv(s *settings, w workload, addr string) ([]string, string) {
	dir := nginxDir(s, addr)
	return []string{nginxBinary(), "-p", dir + "/", "-c", filepath.Join(dir, "nginx.conf"), "-e", "stderr"}, ""
}

func nginxFiles(s *settings, w workload, addr string) map[string]string {
	dir := nginxDir(s, addr)
	return map[string]string{
		filepath.Join(dir, "nginx.conf"): nginxConfig(dir, addr, filepath.Join(s.root, staticDir), os.Geteuid() == 0),
	}
}

// nginxConfig serves static under /static/ on addr with one worker; as
// root, the worker stays root (nginx would switch it to nobody, who may
// not read static).
func nginxConfig(dir, addr, static string, root bool) string {
	user := ""
	if root {
		user = "user root;\n"
	}
	return fmt.Sprintf(`# The bench static workload's nginx: one worker, sendfile, no access log.
daemon off;
master_process on;
worker_processes 1;
%spid %[2]s/nginx.pid;
error_log stderr warn;

events {
    worker_connections 4096;
}

http {
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    keepalive_timeout 65;
    include %[3]s;
    default_type application/octet-stream;
    etag on;

    client_body_temp_path %[2]s/client_body;
    proxy_temp_path %[2]s/proxy;
    fastcgi_temp_path %[2]s/fastcgi;
    uwsgi_temp_path %[2]s/uwsgi;
    scgi_temp_path %[2]s/scgi;

    server {
        listen %[4]s;
        location /static/ {
            alias %[5]s/;
        }
    }
}
`, user, dir, nginxMimeTypes, addr, static)
}
