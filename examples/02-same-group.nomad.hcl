# Scenario 2: two tasks in one group share a network namespace.
#
# "redis" and "app" run in the same allocation, so they share its bridge
# namespace: the app reaches redis on the namespace's own address. Nomad
# hands the app redis's address in NOMAD_ADDR_redis; netviz draws the
# same-namespace edge app → redis labelled with that variable.
job "same-group" {
  type = "service"

  group "cache-and-app" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6379
      }
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "same-group-app"
      provider = "nomad"
      port     = "http"
    }

    task "redis" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "6379", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }

    task "app" {
      driver = "raw_exec"
      config {
        command = "python3"
        # Serves on 8080 as before, and calls its dependency at REDIS_ADDR
        # every 5 s, so netviz agents observe the path (make demo).
        args = ["-c", <<-EOT
          import http.server, os, threading, time, urllib.request
          def call():
              while True:
                  try:
                      urllib.request.urlopen("http://" + os.environ["REDIS_ADDR"] + "/", timeout=2).read()
                  except Exception:
                      pass
                  time.sleep(5)
          threading.Thread(target=call, daemon=True).start()
          http.server.ThreadingHTTPServer(("0.0.0.0", 8080), http.server.SimpleHTTPRequestHandler).serve_forever()
          EOT
        ]
      }
      env {
        REDIS_ADDR = "${NOMAD_ADDR_redis}"
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
