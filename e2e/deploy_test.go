package e2e

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"io"
	"maps"
	"math/big"
	"net"
	"net/http"
	"net/http/httptrace"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The deployment files in examples/deploy are tested as shipped: the
// tests read them and replace only the paths and ports of a production
// host with their own.
const (
	deployDir    = "examples/deploy"
	installedBin = "/usr/local/bin/gwsgi" // gwsgi's path in gwsgi.service
	installedApp = "/srv/app"             // the app's directory in gwsgi.service and nginx.conf
	siteName     = "example.com"          // nginx.conf's server_name
	nginxBin     = "/usr/sbin/nginx"      // Debian's nginx
)

// requireTool returns the path of program name. When it is missing the
// test is skipped, or fails under CI (CI=true), where `make deps` must
// have installed Debian package pkg.
func requireTool(t *testing.T, name, pkg string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s is missing: Debian package %s must be installed (make deps): %v", name, pkg, err)
	}
	t.Skipf("%s is missing: install Debian package %s", name, pkg)
	return ""
}

// readDeployFile returns the content of a file of examples/deploy.
func readDeployFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, deployDir, name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// unixClient returns an HTTP client that sends every request to the unix
// socket sock, whatever the URL's host.
func unixClient(sock string) *http.Client {
	dial := func(ctx context.Context, _, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "unix", sock)
	}
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{DialContext: dial, MaxIdleConnsPerHost: 32}}
}

// unixServer returns a server whose requests go to the unix socket sock;
// its url method names any host.
func unixServer(sock string) *server {
	return &server{addr: "localhost", log: &syncBuffer{}, done: make(chan struct{}), client: unixClient(sock)}
}

// run starts s.cmd, waits until sock accepts connections and stops the
// server with SIGTERM when the test ends (it must exit with status 0).
func (s *server) run(t *testing.T, sock string) {
	t.Helper()
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("%s log:\n%s", strings.Join(s.cmd.Args, " "), withoutAccessLines(s.log.String()))
		}
	})
	for deadline := time.Now().Add(startTimeout); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("unix", sock, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		select {
		case <-s.done:
			t.Fatalf("gwsgi exited before accepting on %s (%v):\n%s", sock, s.err, s.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s not accepting after %v:\n%s", sock, startTimeout, s.log.String())
		}
	}
}

// withoutAccessLines returns a server log without the access-log lines
// of requests answered 200, which a load makes many.
func withoutAccessLines(log string) string {
	var b strings.Builder
	omitted := 0
	for _, line := range strings.SplitAfter(log, "\n") {
		if strings.Contains(line, ` HTTP/1.1" 200 `) {
			omitted++
			continue
		}
		b.WriteString(line)
	}
	if omitted > 0 {
		fmt.Fprintf(&b, "(%d access-log lines of 200 answers left out)\n", omitted)
	}
	return b.String()
}

// startUnixServer runs gwsgi bound to the unix socket sock with args.
func startUnixServer(t *testing.T, sock string, args ...string) *server {
	t.Helper()
	s := unixServer(sock)
	s.cmd = command("unix:"+sock, s.log, nil, args...)
	s.run(t, sock)
	return s
}

// doWith sends req with client and returns the response with its
// body read in full.
func doWith(t *testing.T, client *http.Client, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	return (&server{client: client}).do(t, req)
}

// checkRead checks an answer of validated.py's /read: data's length and
// SHA-256.
func checkRead(t *testing.T, resp *http.Response, body, data []byte) {
	t.Helper()
	expect(t, resp, body, 200, nil)
	if resp.StatusCode != 200 {
		return
	}
	got := decode(t, resp, body)
	sum := sha256.Sum256(data)
	if got["length"] != float64(len(data)) || got["sha256"] != hex.EncodeToString(sum[:]) {
		t.Errorf("the app read %v bytes (sha256 %v); %d were sent", got["length"], got["sha256"], len(data))
	}
}

// TestNginxOverUnixSocket runs examples/deploy/nginx.conf in front of
// gwsgi on a unix socket, with its ports, socket, certificate and static
// directory moved into a temporary directory, and checks what a browser
// and the app see through it.
func TestNginxOverUnixSocket(t *testing.T) {
	requireTool(t, nginxBin, "nginx")
	dir := t.TempDir()
	sock := filepath.Join(dir, "gwsgi.sock")
	g := startUnixServer(t, sock, "--chdir", "e2e/testdata", "validated:application")
	n := startNginx(t, dir, sock)
	base := "https://" + siteName

	t.Run("get", func(t *testing.T) {
		resp, body := n.do(t, newRequest(t, http.MethodGet, base+"/", nil, ""))
		expect(t, resp, body, 200, []byte("Hello, World!"))
		if s := resp.Header.Get("Server"); !strings.HasPrefix(s, "nginx") {
			t.Errorf("Server %q, want nginx's", s)
		}
	})
	t.Run("forwarded", func(t *testing.T) { n.checkForwarded(t) })
	t.Run("keep-alive", func(t *testing.T) { n.checkKeepAlive(t, sock) })
	t.Run("upload", func(t *testing.T) { n.checkUpload(t) })
	t.Run("too-large", func(t *testing.T) {
		c := n.dialTLS(t, siteName)
		c.send(t, "POST /read HTTP/1.1\r\nHost: "+siteName+"\r\nContent-Type: application/octet-stream\r\nContent-Length: 209715200\r\n\r\n")
		if resp, body := c.read(t, "POST"); resp.StatusCode != 413 {
			t.Errorf("a 200 MiB body: %s %q, want 413 from client_max_body_size", resp.Status, clip(body))
		}
	})
	t.Run("stream", func(t *testing.T) { n.checkStream(t) })
	t.Run("concurrent", func(t *testing.T) { n.checkConcurrent(t, 16, 20) })
	t.Run("static", func(t *testing.T) {
		resp, body := n.do(t, newRequest(t, http.MethodGet, base+"/static/hello.txt", nil, ""))
		expect(t, resp, body, 200, []byte(staticFile))
		if cc := resp.Header.Get("Cache-Control"); cc != "max-age=3600" {
			t.Errorf("Cache-Control %q, want expires 1h's", cc)
		}
	})
	t.Run("redirect-to-https", func(t *testing.T) { n.checkRedirect(t) })
	t.Run("unknown-host", func(t *testing.T) { n.checkUnknownHost(t) })
	t.Run("idle-upstream", func(t *testing.T) {
		// Past nginx's upstream keepalive_timeout and gwsgi's --keep-alive:
		// the connections kept are gone, and a POST (which nginx does not
		// retry) must not be sent on one of them.
		time.Sleep(5500 * time.Millisecond)
		data := pattern(100<<10, 9)
		resp, body := n.do(t, newRequest(t, http.MethodPost, base+"/read", bytes.NewReader(data), "application/octet-stream"))
		checkRead(t, resp, body, data)
	})
	t.Run("validator", func(t *testing.T) {
		resp, body := n.do(t, newRequest(t, http.MethodGet, base+"/problems", nil, ""))
		expect(t, resp, body, 200, nil)
		if p, _ := decode(t, resp, body)["problems"].([]any); len(p) != 0 {
			t.Errorf("wsgiref.validate problems: %q", p)
		}
	})
	n.checkUpstreamErrors(t)
	t.Run("gwsgi-stopped", func(t *testing.T) {
		g.stop(t)
		resp, body := n.do(t, newRequest(t, http.MethodGet, base+"/", nil, ""))
		expect(t, resp, body, 502, []byte(errorPage))
	})
}

// What the site's static directory holds.
const (
	staticFile = "served by nginx\n"
	errorPage  = "<p>The app is not answering.</p>\n"
)

// nginx is an nginx process run from a temporary prefix directory.
type nginx struct {
	cmd       *exec.Cmd
	dir       string
	httpAddr  string // where the site's "listen 80" went
	httpsAddr string // where its "listen 443" went
	roots     *x509.CertPool
	client    *http.Client // trusts roots; dials httpAddr or httpsAddr for any host
	done      chan struct{}
	err       error
	stderr    *syncBuffer
}

// startNginx runs nginx with examples/deploy/nginx.conf for the gwsgi at
// sock, everything in dir, and waits until its ports accept connections.
// It is stopped when the test ends.
func startNginx(t *testing.T, dir, sock string) *nginx {
	t.Helper()
	n := &nginx{dir: dir, done: make(chan struct{}), stderr: &syncBuffer{}}
	n.httpAddr, n.httpsAddr = "127.0.0.1:"+freePort(t), "127.0.0.1:"+freePort(t)
	appDir := filepath.Join(dir, "app")
	writeFiles(t, map[string]string{
		filepath.Join(appDir, "static", "hello.txt"): staticFile,
		filepath.Join(appDir, "static", "50x.html"):  errorPage,
	})
	cert, key := n.writeCertificate(t, siteName, "www."+siteName)
	site := filepath.Join(dir, "site.conf")
	conf := filepath.Join(dir, "nginx.conf")
	writeFiles(t, map[string]string{
		site: siteConfig(t, strings.NewReplacer(
			"unix:/run/gwsgi.sock", "unix:"+sock,
			"listen 80", "listen "+n.httpAddr,
			"listen 443", "listen "+n.httpsAddr,
			"/etc/ssl/certs/example.com.pem", cert,
			"/etc/ssl/private/example.com.key", key,
			installedApp+"/", appDir+"/",
		)),
		conf: mainConfig(dir, site),
	})
	n.client = &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DialContext:         n.dial,
		TLSClientConfig:     &tls.Config{RootCAs: n.roots},
		MaxIdleConnsPerHost: 32,
	}}
	n.cmd = exec.Command(nginxBin, "-p", dir, "-c", conf, "-e", filepath.Join(dir, "error.log"), "-g", "daemon off;")
	n.cmd.Stdout, n.cmd.Stderr = n.stderr, n.stderr
	n.cmd.WaitDelay = 5 * time.Second
	if err := n.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		n.err = n.cmd.Wait()
		close(n.done)
	}()
	t.Cleanup(func() { n.stop(t) })
	for _, addr := range []string{n.httpAddr, n.httpsAddr} {
		n.waitAccepting(t, addr)
	}
	return n
}

// siteConfig returns the shipped nginx.conf through r, and fails the test
// if a path or port of a production host is left in it.
func siteConfig(t *testing.T, r *strings.Replacer) string {
	t.Helper()
	conf := r.Replace(readDeployFile(t, "nginx.conf"))
	for _, line := range strings.Split(conf, "\n") {
		line, _, _ = strings.Cut(line, "#")
		for _, left := range []string{"/run/", "/etc/", installedApp, "listen 80", "listen 443"} {
			if strings.Contains(line, left) {
				t.Fatalf("nginx.conf: %q is left after the test's replacements in %q", left, strings.TrimSpace(line))
			}
		}
	}
	return conf
}

// mainConfig returns an nginx.conf that keeps every file in dir and
// includes the site's configuration in its http block, as Debian's
// /etc/nginx/nginx.conf includes conf.d/*.conf.
func mainConfig(dir, site string) string {
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // nobody, the default, cannot enter the test's directories
	}
	return user + fmt.Sprintf(`worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log info;
events {
    worker_connections 512;
}
http {
    access_log %[1]s/access.log;
    client_body_temp_path %[1]s/client_body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    include %[2]s;
}
`, dir, site)
}

// writeFiles writes each file (path: content), creating directories.
func writeFiles(t *testing.T, files map[string]string) {
	t.Helper()
	for path, content := range files {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// writeCertificate writes a self-signed certificate for names and its key
// into n.dir, returns their paths and makes n trust the certificate.
func (n *nginx) writeCertificate(t *testing.T, names ...string) (certFile, keyFile string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: names[0]},
		DNSNames:              names,
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	n.roots = x509.NewCertPool()
	n.roots.AddCert(cert)
	pkcs8, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(n.dir, "site.pem"), filepath.Join(n.dir, "site.key")
	writeFiles(t, map[string]string{
		certFile: string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})),
		keyFile:  string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: pkcs8})),
	})
	return certFile, keyFile
}

// dial connects to nginx's port 80 for addresses on port 80, else to its
// port 443, whatever the host: the site's names resolve to nginx.
func (n *nginx) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	target := n.httpsAddr
	if _, port, _ := net.SplitHostPort(addr); port == "80" {
		target = n.httpAddr
	}
	var d net.Dialer
	return d.DialContext(ctx, network, target)
}

// waitAccepting waits until nginx accepts connections at addr.
func (n *nginx) waitAccepting(t *testing.T, addr string) {
	t.Helper()
	for deadline := time.Now().Add(startTimeout); ; time.Sleep(20 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond); err == nil {
			c.Close()
			return
		}
		select {
		case <-n.done:
			t.Fatalf("nginx exited (%v):\n%s\n%s", n.err, n.stderr.String(), n.errorLog())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("nginx does not accept at %s after %v:\n%s", addr, startTimeout, n.errorLog())
		}
	}
}

// stop stops nginx gracefully (SIGQUIT) and checks that it exits with
// status 0.
func (n *nginx) stop(t *testing.T) {
	n.client.CloseIdleConnections()
	_ = n.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-n.done:
		if n.err != nil {
			t.Errorf("nginx exited with %v after SIGQUIT", n.err)
		}
	case <-time.After(stopTimeout):
		_ = n.cmd.Process.Kill()
		<-n.done
		t.Errorf("nginx did not exit within %v of SIGQUIT", stopTimeout)
	}
	if t.Failed() {
		t.Logf("nginx error log:\n%s", n.errorLog())
	}
}

// errorLog returns nginx's error log.
func (n *nginx) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	return string(b)
}

// do sends req through nginx and returns the response with its body.
func (n *nginx) do(t *testing.T, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	return doWith(t, n.client, req)
}

// dialTLS opens a raw TLS connection to nginx's port 443 for server name
// sni.
func (n *nginx) dialTLS(t *testing.T, sni string) *rawConn {
	t.Helper()
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", n.httpsAddr, &tls.Config{RootCAs: n.roots, ServerName: sni})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(20 * time.Second))
	return &rawConn{Conn: c, br: bufio.NewReader(c)}
}

// checkForwarded checks what the app learns of the client through nginx:
// the scheme nginx sets (https, believed from a unix-socket peer), the
// client's address appended to X-Forwarded-For, the Host; and that scheme
// headers a client sends itself do not get through.
func (n *nginx) checkForwarded(t *testing.T) {
	req := newRequest(t, http.MethodGet, "https://"+siteName+"/env", nil, "")
	for k, v := range map[string]string{
		"X-Forwarded-For":      "203.0.113.9",
		"X-Forwarded-Proto":    "http",
		"X-Forwarded-Ssl":      "off",
		"X-Forwarded-Protocol": "plain",
		"Forwarded":            "for=203.0.113.9;proto=http",
	} {
		req.Header.Set(k, v)
	}
	resp, body := n.do(t, req)
	expect(t, resp, body, 200, nil)
	if resp.StatusCode != 200 {
		return
	}
	env := decode(t, resp, body)
	for k, want := range map[string]any{
		"wsgi.url_scheme":        "https",
		"SERVER_PORT":            "443",
		"SERVER_NAME":            siteName,
		"HTTP_HOST":              siteName,
		"SERVER_PROTOCOL":        "HTTP/1.1",
		"HTTP_X_FORWARDED_PROTO": "https",
		"HTTP_X_FORWARDED_FOR":   "203.0.113.9, 127.0.0.1",
	} {
		if env[k] != want {
			t.Errorf("%s = %#v, want %#v", k, env[k], want)
		}
	}
	for _, k := range []string{"HTTP_X_FORWARDED_SSL", "HTTP_X_FORWARDED_PROTOCOL", "HTTP_FORWARDED", "HTTP_CONNECTION"} {
		if v, ok := env[k]; ok {
			t.Errorf("%s = %#v reached the app", k, v)
		}
	}
	if _, ok := env["REMOTE_ADDR"]; !ok {
		t.Error("no REMOTE_ADDR")
	}
}

// checkUpload posts bodies of 1 MiB (nginx's default limit), 8 MiB, and
// 3 MiB chunked (nginx passes it on with a Content-Length): the app must
// read them intact.
func (n *nginx) checkUpload(t *testing.T) {
	url := "https://" + siteName + "/read?block=65536"
	for _, size := range []int{mib, 8 * mib} {
		data := pattern(size, byte(size>>20))
		resp, body := n.do(t, newRequest(t, http.MethodPost, url, bytes.NewReader(data), "application/octet-stream"))
		checkRead(t, resp, body, data)
	}
	data := pattern(3*mib, 3)
	resp, body := n.do(t, newRequest(t, http.MethodPost, url, pipeBody(data, 40000), "application/octet-stream"))
	checkRead(t, resp, body, data)
}

// checkStream gets a response the app produces chunk by chunk, of unknown
// length: it arrives whole, chunked.
func (n *nginx) checkStream(t *testing.T) {
	resp, body := n.do(t, newRequest(t, http.MethodGet, "https://"+siteName+"/gen?n=20000", nil, ""))
	var want strings.Builder
	for i := range 20000 {
		fmt.Fprintf(&want, "chunk %d\n", i)
	}
	expect(t, resp, body, 200, []byte(want.String()))
	if len(resp.TransferEncoding) != 1 || resp.TransferEncoding[0] != "chunked" {
		t.Errorf("Transfer-Encoding %q, want chunked", resp.TransferEncoding)
	}
}

// checkRedirect checks that plain HTTP is redirected to the same URL over
// HTTPS.
func (n *nginx) checkRedirect(t *testing.T) {
	c := *n.client
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, body := doWith(t, &c, newRequest(t, http.MethodGet, "http://"+siteName+"/env?x=1", nil, ""))
	expect(t, resp, body, 301, nil)
	if loc, want := resp.Header.Get("Location"), "https://"+siteName+"/env?x=1"; loc != want {
		t.Errorf("Location %q, want %q", loc, want)
	}
}

// checkKeepAlive sends 20 requests one after the other and checks that
// the client's connection to nginx and nginx's connection to gwsgi are
// both reused: after each request, the connections gwsgi accepted on sock
// are only those open after the first one.
func (n *nginx) checkKeepAlive(t *testing.T, sock string) {
	n.client.CloseIdleConnections()
	var first map[string]bool
	for i := range 20 {
		reused := false
		trace := &httptrace.ClientTrace{GotConn: func(c httptrace.GotConnInfo) { reused = c.Reused }}
		req := newRequest(t, http.MethodGet, "https://"+siteName+"/", nil, "")
		resp, body := n.do(t, req.WithContext(httptrace.WithClientTrace(req.Context(), trace)))
		expect(t, resp, body, 200, []byte("Hello, World!"))
		if i > 0 && !reused {
			t.Errorf("request %d: the client's connection to nginx was not reused", i)
		}
		conns := acceptedConns(t, sock)
		if i == 0 {
			first = conns
		}
		if len(conns) == 0 {
			t.Fatalf("request %d: no connection to gwsgi kept open: no upstream keep-alive", i)
		}
		for ino := range conns {
			if !first[ino] {
				t.Fatalf("request %d: nginx opened a new connection to gwsgi (socket inode %s; kept: %v)", i, ino, first)
			}
		}
	}
}

// acceptedConns returns the inodes of the connections open on the server
// side of the unix socket at path (/proc/net/unix lists them with the
// listener's path, in state 03, connected).
func acceptedConns(t *testing.T, path string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("/proc/net/unix")
	if err != nil {
		t.Fatal(err)
	}
	conns := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		// Num RefCount Protocol Flags Type St Inode Path
		if f := strings.Fields(line); len(f) == 8 && f[5] == "03" && f[7] == path {
			conns[f[6]] = true
		}
	}
	return conns
}

// checkConcurrent sends rounds of GETs and POSTs from clients at once
// through nginx's pool of connections to gwsgi: every one must succeed.
func (n *nginx) checkConcurrent(t *testing.T, clients, rounds int) {
	data := pattern(64<<10, 11)
	var failed atomic.Int32
	var wg sync.WaitGroup
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for r := range rounds {
				if err := n.exchange(c+r, data); err != nil {
					failed.Add(1)
					t.Errorf("client %d, round %d: %v", c, r, err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if failed.Load() > 0 {
		t.Errorf("%d of %d clients failed", failed.Load(), clients)
	}
}

// exchange sends a GET / (i even) or a POST of data to /read (i odd) and
// checks the answer, without testing.T: it runs in goroutines.
func (n *nginx) exchange(i int, data []byte) error {
	url, body, want := "https://"+siteName+"/", io.Reader(nil), []string{"Hello, World!"}
	method := http.MethodGet
	if i%2 == 1 {
		sum := sha256.Sum256(data)
		method, url, body = http.MethodPost, url+"read", bytes.NewReader(data)
		want = []string{fmt.Sprintf(`"length": %d,`, len(data)), fmt.Sprintf(`"sha256": "%x"`, sum)}
	}
	req, err := http.NewRequest(method, url, body)
	if err != nil {
		return err
	}
	resp, err := n.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	for _, w := range want {
		if resp.StatusCode != 200 || !strings.Contains(string(got), w) {
			return fmt.Errorf("%s %s: %s %q", method, url, resp.Status, clip(got))
		}
	}
	return nil
}

// checkUnknownHost checks that nginx drops requests for another host: no
// answer on port 80, no TLS handshake on 443 for another server name, and
// no answer over TLS for the site's name with another Host.
func (n *nginx) checkUnknownHost(t *testing.T) {
	c, err := net.DialTimeout("tcp", n.httpAddr, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	raw := &rawConn{Conn: c, br: bufio.NewReader(c)}
	defer c.Close()
	raw.send(t, "GET /env HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
	raw.expectEOF(t)

	_, err = tls.Dial("tcp", n.httpsAddr, &tls.Config{RootCAs: n.roots, ServerName: "attacker.example"})
	if err == nil {
		t.Error("TLS handshake for attacker.example succeeded")
	}

	tc := n.dialTLS(t, siteName)
	tc.send(t, "GET /env HTTP/1.1\r\nHost: attacker.example\r\n\r\n")
	tc.expectEOF(t)
}

// checkUpstreamErrors fails the test if nginx's error log has an error
// about gwsgi (a connection refused, reset or closed too early).
func (n *nginx) checkUpstreamErrors(t *testing.T) {
	t.Helper()
	for _, line := range strings.Split(n.errorLog(), "\n") {
		if strings.Contains(line, "upstream") && !strings.Contains(line, "[info]") && !strings.Contains(line, "[notice]") {
			t.Errorf("nginx error log: %s", line)
		}
	}
}

// unitFile is a systemd unit file: the values of each key, by section.
type unitFile map[string]map[string][]string

// readUnit parses the unit file name of examples/deploy.
func readUnit(t *testing.T, name string) unitFile {
	t.Helper()
	u := unitFile{}
	section := ""
	text := strings.ReplaceAll(readDeployFile(t, name), "\\\n", " ")
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "" || line[0] == '#' || line[0] == ';':
		case line[0] == '[' && line[len(line)-1] == ']':
			section = line[1 : len(line)-1]
			u[section] = map[string][]string{}
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok || section == "" {
				t.Fatalf("%s: line %q", name, line)
			}
			k = strings.TrimSpace(k)
			u[section][k] = append(u[section][k], strings.TrimSpace(v))
		}
	}
	return u
}

// get returns the last value of key in section, and fails the test when
// there is none.
func (u unitFile) get(t *testing.T, section, key string) string {
	t.Helper()
	v := u[section][key]
	if len(v) == 0 {
		t.Fatalf("no %s= in [%s]", key, section)
	}
	return v[len(v)-1]
}

// command returns the words of a command line setting (ExecStart=...),
// which must not quote or escape anything.
func (u unitFile) command(t *testing.T, key string) []string {
	t.Helper()
	line := u.get(t, "Service", key)
	if strings.ContainsAny(line, `"'\`) {
		t.Fatalf("%s=%s: quoting is not handled here", key, line)
	}
	return strings.Fields(line)
}

// TestSystemdUnit checks examples/deploy/gwsgi.service and gwsgi.socket:
// systemd-analyze verify accepts them, and gwsgi run as the service's
// ExecStart under socket activation on the socket's ListenStream serves,
// reloads its workers on ExecReload without a failed request, and stops
// cleanly on SIGTERM within TimeoutStopSec.
func TestSystemdUnit(t *testing.T) {
	analyze := requireTool(t, "systemd-analyze", "systemd")
	activate := requireTool(t, "systemd-socket-activate", "systemd")
	service, socket := readUnit(t, "gwsgi.service"), readUnit(t, "gwsgi.socket")

	t.Run("verify", func(t *testing.T) { verifyUnits(t, analyze) })
	t.Run("settings", func(t *testing.T) {
		// gwsgi's master tells systemd READY=1 once every worker
		// accepts (sd_notify(3); runUnit checks it does).
		if typ := service.get(t, "Service", "Type"); typ != "notify" {
			t.Errorf("Type=%s, want notify", typ)
		}
		// SIGTERM to the master alone, which stops its workers.
		if km := service.get(t, "Service", "KillMode"); km != "mixed" {
			t.Errorf("KillMode=%s, want mixed", km)
		}
	})
	t.Run("serve-reload-stop", func(t *testing.T) { runUnit(t, activate, service, socket) })
}

// verifyUnits runs systemd-analyze verify on both units, with the
// service's gwsgi replaced by the one under test (verify checks that
// ExecStart's program exists): it must exit 0 and say nothing about them.
func verifyUnits(t *testing.T, analyze string) {
	dir := t.TempDir()
	unit := readDeployFile(t, "gwsgi.service")
	if !strings.Contains(unit, "ExecStart="+installedBin+" ") {
		t.Fatalf("gwsgi.service does not run %s", installedBin)
	}
	writeFiles(t, map[string]string{
		filepath.Join(dir, "gwsgi.service"): strings.ReplaceAll(unit, installedBin, gwsgiBin),
		filepath.Join(dir, "gwsgi.socket"):  readDeployFile(t, "gwsgi.socket"),
	})
	cmd := exec.Command(analyze, "verify", "--man=no", filepath.Join(dir, "gwsgi.socket"), filepath.Join(dir, "gwsgi.service"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	for _, line := range strings.Split(string(out), "\n") {
		if strings.Contains(line, "gwsgi") {
			t.Errorf("systemd-analyze verify: %s", line)
		}
	}
}

// runUnit runs gwsgi as the service's ExecStart says, in its
// WorkingDirectory with its Environment, under systemd-socket-activate on
// the socket unit's ListenStream (moved into a temporary directory), with
// /srv/app replaced by examples (app:application is examples/app.py).
func runUnit(t *testing.T, activate string, service, socket unitFile) {
	listen := socket.get(t, "Socket", "ListenStream")
	if !strings.HasPrefix(listen, "/") {
		t.Fatalf("ListenStream=%s is not a unix socket path", listen)
	}
	sock := filepath.Join(t.TempDir(), filepath.Base(listen))
	app := filepath.Join(repoRoot, "examples")
	argv := service.command(t, "ExecStart")
	if argv[0] != installedBin {
		t.Fatalf("ExecStart runs %s, not %s", argv[0], installedBin)
	}
	notify := listenNotify(t)
	args := []string{"-l", sock, "-E", "PYTHONDONTWRITEBYTECODE=1", "-E", "NOTIFY_SOCKET=" + notify.LocalAddr().String()}
	for _, env := range service["Service"]["Environment"] {
		for _, kv := range strings.Fields(env) {
			args = append(args, "-E", kv)
		}
	}
	args = append(args, gwsgiBin)
	for _, a := range argv[1:] {
		args = append(args, strings.ReplaceAll(a, installedApp, app))
	}

	s := unixServer(sock)
	s.cmd = exec.Command(activate, args...)
	s.cmd.Dir = strings.ReplaceAll(service.get(t, "Service", "WorkingDirectory"), installedApp, app)
	// systemd's environment for a service: PATH and the unit's own
	// (systemd-socket-activate passes on little more, with -E).
	s.cmd.Env = []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	s.cmd.WaitDelay = 5 * time.Second
	s.stopOnce.Do(func() {}) // stopped below, as systemd would
	s.run(t, sock)
	t.Cleanup(func() { s.kill() })

	resp, body := s.get(t, "/")
	expect(t, resp, body, 200, []byte("Hello, World!"))
	s.waitLog(t, "(fd://3 from systemd)")
	workers := s.waitWorkers(t, workerCount(argv), nil)
	awaitNotify(t, notify, "READY=1")
	s.reload(t, service, workers)
	s.stopAsSystemd(t, service, sock)
	awaitNotify(t, notify, "STOPPING=1")
}

// listenNotify opens the datagram socket a Type=notify service is given
// as NOTIFY_SOCKET.
func listenNotify(t *testing.T) *net.UnixConn {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify")
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// awaitNotify reads the service's notifications until one holds the line
// want.
func awaitNotify(t *testing.T, c *net.UnixConn, want string) {
	t.Helper()
	buf := make([]byte, 4096)
	_ = c.SetReadDeadline(time.Now().Add(30 * time.Second))
	for {
		n, err := c.Read(buf)
		if err != nil {
			t.Fatalf("no %s from gwsgi on NOTIFY_SOCKET: %v", want, err)
		}
		if slices.Contains(strings.Split(string(buf[:n]), "\n"), want) {
			return
		}
	}
}

// kill ends the server's process and its workers, if the master still
// runs.
func (s *server) kill() {
	select {
	case <-s.done:
		return
	default:
	}
	_ = s.cmd.Process.Signal(syscall.SIGQUIT)
	select {
	case <-s.done:
	case <-time.After(stopTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// workerCount is the number of workers a gwsgi command line asks for.
func workerCount(argv []string) int {
	n := 1
	for i, a := range argv {
		v, ok := "", false
		switch {
		case (a == "-w" || a == "--workers" || a == "-workers") && i+1 < len(argv):
			v, ok = argv[i+1], true
		case strings.HasPrefix(a, "--workers="):
			v, ok = strings.TrimPrefix(a, "--workers="), true
		}
		if w, err := strconv.Atoi(v); ok && err == nil {
			n = w
		}
	}
	return n
}

// waitWorkers waits up to 30 s until the master has n worker processes,
// none of them in old, and every one of old has exited; it returns them.
func (s *server) waitWorkers(t *testing.T, n int, old map[int]bool) map[int]bool {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		kids := map[int]bool{}
		for _, pid := range children(t, s.cmd.Process.Pid) {
			if alive(pid) {
				kids[pid] = true
			}
		}
		done := len(kids) == n
		for pid := range old {
			if kids[pid] || alive(pid) {
				done = false
			}
		}
		if done {
			return kids
		}
		if time.Now().After(deadline) {
			t.Fatalf("workers %v after 30 s; want %d, none of %v", slices.Sorted(maps.Keys(kids)), n, slices.Sorted(maps.Keys(old)))
		}
	}
}

// reload runs the service's ExecReload (with $MAINPID) while clients send
// requests, waits until every worker is replaced, and checks that no
// request failed meanwhile.
func (s *server) reload(t *testing.T, service unitFile, workers map[int]bool) {
	t.Helper()
	argv := service.command(t, "ExecReload")
	for i, a := range argv {
		argv[i] = strings.ReplaceAll(a, "$MAINPID", strconv.Itoa(s.cmd.Process.Pid))
	}
	stop := make(chan struct{})
	var ok, failed atomic.Int32
	var wg sync.WaitGroup
	defer wg.Wait()
	for _, keepAlive := range []bool{true, false} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.hammer(t, keepAlive, stop, &ok, &failed)
		}()
	}
	stopOnce := sync.OnceFunc(func() { close(stop) })
	defer stopOnce()
	if out, err := exec.Command(argv[0], argv[1:]...).CombinedOutput(); err != nil {
		t.Fatalf("ExecReload %q: %v\n%s", argv, err, out)
	}
	s.waitWorkers(t, len(workers), workers)
	before := ok.Load()
	for deadline := time.Now().Add(10 * time.Second); ok.Load() < before+20 && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	stopOnce()
	wg.Wait()
	if failed.Load() > 0 || ok.Load() < before+20 {
		t.Errorf("across the reload: %d requests answered, %d failed", ok.Load(), failed.Load())
	}
	t.Logf("workers %v replaced; %d requests answered meanwhile", slices.Sorted(maps.Keys(workers)), ok.Load())
	s.waitLog(t, "SIGHUP: replacing workers")
}

// hammer sends GET / until stop is closed, counting answers in ok and
// failures in failed; keepAlive says whether it reuses its connection.
func (s *server) hammer(t *testing.T, keepAlive bool, stop chan struct{}, ok, failed *atomic.Int32) {
	client := *s.client
	tr := client.Transport.(*http.Transport).Clone()
	tr.DisableKeepAlives = !keepAlive
	client.Transport = tr
	defer tr.CloseIdleConnections()
	for {
		select {
		case <-stop:
			return
		default:
		}
		resp, err := client.Get(s.url("/"))
		if err == nil {
			var body []byte
			body, err = io.ReadAll(resp.Body)
			resp.Body.Close()
			if err == nil && (resp.StatusCode != 200 || string(body) != "Hello, World!") {
				err = fmt.Errorf("%s %q", resp.Status, clip(body))
			}
		}
		if err != nil {
			failed.Add(1)
			t.Errorf("GET / during the reload: %v", err)
			continue
		}
		ok.Add(1)
	}
}

// stopAsSystemd sends SIGTERM to the master alone (KillMode=mixed) and
// checks that gwsgi exits with status 0 within TimeoutStopSec, its
// workers gone, and leaves the socket file, which is systemd's, in place.
func (s *server) stopAsSystemd(t *testing.T, service unitFile, sock string) {
	t.Helper()
	limit := unitSeconds(t, service.get(t, "Service", "TimeoutStopSec"))
	workers := children(t, s.cmd.Process.Pid)
	s.client.CloseIdleConnections()
	start := time.Now()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.done:
	case <-time.After(limit):
		t.Fatalf("gwsgi still runs %v (TimeoutStopSec) after SIGTERM:\n%s", limit, s.log.String())
	}
	if s.err != nil {
		t.Errorf("exit after SIGTERM: %v, want status 0", s.err)
	}
	t.Logf("stopped in %v", time.Since(start).Round(time.Millisecond))
	s.waitLog(t, "shutting down gracefully")
	for _, pid := range workers {
		if alive(pid) {
			t.Errorf("worker %d outlived the master", pid)
		}
	}
	if _, err := os.Stat(sock); err != nil {
		t.Errorf("the socket file, which systemd owns, is gone: %v", err)
	}
}

// unitSeconds reads a systemd time span ("30", "30s", "1min 30s"; see
// systemd.time(7)).
func unitSeconds(t *testing.T, v string) time.Duration {
	t.Helper()
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(n) * time.Second
	}
	d, err := time.ParseDuration(strings.NewReplacer(" ", "", "min", "m", "sec", "s").Replace(v))
	if err != nil {
		t.Fatalf("time span %q: %v", v, err)
	}
	return d
}
