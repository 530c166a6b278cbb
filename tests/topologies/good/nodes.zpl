# Two nodes, two groups on the first: a and b bind ports 7101 and 7102
run
    name = nodes
node = n1
    endpoint = tcp://127.0.0.1:7101
    public_key = ../keys/n1.pub
node = n2
    endpoint = tcp://127.0.0.1:7201
    public_key = ../keys/n2.pub
group = a
    node = n1
    actor = e
        class = echo
group = b
    node = n1
    actor = e
        class = echo
group = c
    node = n2
    actor = e
        class = echo
