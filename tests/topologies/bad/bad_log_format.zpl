# expect: 4: bad value 'xml' for 'log_format': expected text or json
run
    name = demo
    log_format = xml
group = web
    actor = front
        class = echo
