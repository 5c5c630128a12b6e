module wc

go 1.21
