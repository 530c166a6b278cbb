# expect: 15: duplicate endpoint: node 'n2' binds 127.0.0.1 ports 7102 to 7102, node 'n1' (line 12) 7101 to 7102 (one port per group)
# expect: 18: unknown key 'bogus' in node 'n2'
# expect: 19: node 'n3' has no endpoint: add 'endpoint = tcp://HOST:PORT'
# expect: 20: public key '../keys/n3.pub' of node 'n3': no such file (write one with actor-run keygen)
# expect: 22: bad endpoint 'tcp://*:80' for node 'n4': expected tcp://HOST:PORT, HOST a name or address the other nodes reach (not *), PORT 1 to 65535
# expect: 23: public key 'nodes.zpl' of node 'n4': not a public key file (write one with actor-run keygen)
# expect: 24: duplicate node name 'n1' (first at line 12)
# expect: 36: unknown node 'nx' for group 'c'
# expect: 39: group 'd' has no node: in a run with nodes every group names one ('node = NAME')
run
    name = nodes
node = n1
    endpoint = tcp://127.0.0.1:7101
    public_key = ../keys/n1.pub
node = n2
    endpoint = tcp://127.0.0.1:7102
    public_key = ../keys/n2.pub
    bogus = 1
node = n3
    public_key = ../keys/n3.pub
node = n4
    endpoint = tcp://*:80
    public_key = nodes.zpl
node = n1
    endpoint = tcp://127.0.0.1:7301
    public_key = ../keys/n1.pub
group = a
    node = n1
    actor = e
        class = echo
group = b
    node = n1
    actor = e
        class = echo
group = c
    node = nx
    actor = e
        class = echo
group = d
    actor = e
        class = echo
