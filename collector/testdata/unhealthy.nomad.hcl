# A Nomad-native service whose check always fails (the path does not exist):
# the model must show the instance critical.
job "unhealthy" {
  type = "service"

  group "web" {
    network {
      mode = "bridge"
      port "http" {
        to = 8080
      }
    }

    service {
      name     = "unhealthy-web"
      provider = "nomad"
      port     = "http"

      check {
        type     = "http"
        path     = "/no-such-page"
        interval = "2s"
        timeout  = "1s"
      }
    }

    task "web" {
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
