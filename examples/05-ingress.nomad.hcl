# Scenario 5: user-facing traffic through an ingress on every node.
#
# A system job (one allocation per node) listens on static host ports 18080
# and 18443 (stand-ins for 80 and 443, which may be taken here) and routes
# each request by its Host header to the services whose tags carry a
# Traefik-style rule, traefik.http.routers.<name>.rule=Host(`…`). It learns
# the routes from Nomad's service registry through a template, as Traefik's
# Nomad provider would. A real cluster would run Traefik or Fabio here: see
# docker/05-ingress.nomad.hcl. Both listeners speak plain HTTP.
job "ingress" {
  type = "system"

  group "ingress" {
    network {
      mode = "host"
      port "http" {
        static = 18080
      }
      port "https" {
        static = 18443
      }
    }

    service {
      name     = "ingress"
      provider = "nomad"
      port     = "http"
    }

    task "router" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["local/router.py"]
      }
      env {
        ROUTES_FILE = "${NOMAD_TASK_DIR}/routes.tsv"
        LISTEN      = "${NOMAD_IP_http}:${NOMAD_PORT_http},${NOMAD_IP_https}:${NOMAD_PORT_https}"
      }

      # One line per tag of every service instance: "<tag>\t<address:port>".
      template {
        data        = <<-EOT
        {{- range nomadServices }}{{ range nomadService .Name }}{{ $addr := printf "%s:%d" .Address .Port }}{{ range .Tags }}
        {{ . }}	{{ $addr }}{{ end }}{{ end }}{{ end }}
        EOT
        destination = "local/routes.tsv"
        change_mode = "noop"
      }

      template {
        data        = <<-EOT
        # Routes a request to the first instance whose Host() rule matches.
        import http.server, os, re, threading, urllib.request

        RULE = re.compile(r"^traefik\.http\.routers\.[^.]+\.rule=Host\(`([^`]+)`\)$")
        OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))

        def routes():
            table = {}
            with open(os.environ["ROUTES_FILE"]) as f:
                for line in f:
                    parts = line.rstrip("\n").split("\t")
                    m = RULE.match(parts[0]) if len(parts) == 2 else None
                    if m:
                        table.setdefault(m.group(1), parts[1])
            return table

        class Router(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                host = (self.headers.get("Host") or "").split(":")[0]
                target = routes().get(host)
                if target is None:
                    self.send_error(404, "no route for host " + host)
                    return
                try:
                    with OPENER.open("http://" + target + self.path, timeout=5) as resp:
                        body, code = resp.read(), resp.status
                except Exception as e:
                    self.send_error(502, str(e))
                    return
                self.send_response(code)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("X-Routed-To", target)
                self.end_headers()
                self.wfile.write(body)

        servers = []
        for listen in os.environ["LISTEN"].split(","):
            host, port = listen.rsplit(":", 1)
            servers.append(http.server.ThreadingHTTPServer((host, int(port)), Router))
        for s in servers[1:]:
            threading.Thread(target=s.serve_forever, daemon=True).start()
        servers[0].serve_forever()
        EOT
        destination = "local/router.py"
      }

      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
