#   Every key, each set to something other than its default
run
    name = shop.v2-test
    strategy = rest_for_one
    intensity = 10
    period = 30s
    shutdown = 2500ms
    start_timeout = 2s
    backoff_min = 0
    backoff_max = 60s
    max_msg_size = 4M
    hwm = 5000
    standby = false

group = store                   #   a comment after a section line
    restart = permanent
    start_timeout = 800
    actor = db
        class = sink
        args = "path=/var/lib/shop # not a comment"

#   Comments may stand anywhere, at any indentation
        #   like this one
group = web
    restart = transient
    standby = true
    parent = store/db
    shutdown = 0
    actor = front
        class = echo
        args = 'listen on 8080'
    actor = audit
        class = sink
        args = a b c            #   an unquoted value keeps inner spaces

group = batch
    actor = job
        class = echo
        args = ""
    restart = temporary
