# Scenario 3 (Nomad-native): two groups, discovery through Nomad's own
# service registry.
#
# Group "redis" registers "redis-native" with provider = "nomad"; group
# "app" renders its address with a template that queries
# `nomadService "redis-native"` and exposes it as REDIS_ADDR. The groups may
# land on different nodes; netviz draws a discovery edge from the app task
# to the redis instances, labelled with the query.
job "discovery-nomad" {
  type = "service"

  group "redis" {
    network {
      mode = "bridge"
      port "redis" {
        to = 6379
      }
    }

    service {
      name     = "redis-native"
      provider = "nomad"
      port     = "redis"

      check {
        type     = "http"
        path     = "/"
        interval = "5s"
        timeout  = "2s"
      }
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
  }

  group "app" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "app-native"
      provider = "nomad"
      port     = "http"
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
      template {
        data        = <<-EOT
        {{ range nomadService "redis-native" }}REDIS_ADDR={{ .Address }}:{{ .Port }}
        {{ end }}
        EOT
        destination = "local/redis.env"
        env         = true
        change_mode = "restart"
      }
      resources {
        cpu    = 50
        memory = 64
      }
    }
  }
}
