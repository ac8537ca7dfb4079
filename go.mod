module github.com/netviz/netviz

go 1.26
