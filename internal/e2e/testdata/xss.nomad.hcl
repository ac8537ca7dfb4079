# A hostile job for the XSS test: every name a user controls carries markup
# that would run script if a page inserted it unescaped. Nomad refuses
# spaces in job IDs and slashes in task names, and wants DNS-like service
# names, so those get the most hostile form Nomad accepts; the job's name,
# the service tags and the meta carry the whole payload.
#
# The task name becomes a directory holding tmpfs mounts; the test has
# Nomad collect the allocation so that they go before the cluster stops.
job "xss<script>window.__xss=1</script>\"'><svg/onload=window.__xss=2>" {
  name = "<script>window.__xss=1</script>\"'><img src=x onerror=window.__xss=2>"
  type = "service"

  meta {
    note = "<script>window.__xss=1</script>\"'><img src=x onerror=window.__xss=2>"
  }

  group "\"'><img src=x onerror=window.__xss=3>" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "xss-web"
      provider = "nomad"
      port     = "http"
      tags = [
        "<script>window.__xss=1</script>\"'><img src=x onerror=window.__xss=2>",
        "traefik.http.routers.xss.rule=Host(`<img src=x onerror=window.__xss=5>`)",
      ]
      meta {
        note = "<script>window.__xss=1</script>\"'><img src=x onerror=window.__xss=2>"
      }
    }

    task "<svg onload=window.__xss=4>" {
      driver = "raw_exec"
      config {
        command = "python3"
        args    = ["-m", "http.server", "8080", "--bind", "0.0.0.0"]
      }
      resources {
        cpu    = 20
        memory = 32
      }
    }
  }
}
