#   demo - three groups that say what they do, then end the run
#
#   Run it from the build tree, where the plugin is built next to it:
#       build/supervisor/actor-run build/examples/topologies/demo.zpl
#   Groups start in this order, each once the one before is ready:
#   "hello" greets and is the parent of the two others, "work" counts
#   primes on its worker pool and tells hello/greeter the result, across
#   processes, and gets its thanks back; "clock" ticks five times and then
#   ends the whole run (act_group_finish), which stops the groups in
#   reverse order.
#   See actorio-topology(5) for every key.

run
    name = demo
    strategy = one_for_one
    shutdown = 2s

group = hello
    plugin = ../plugins/demo.so
    actor = greeter
        class = greeter
        args = "the demo run"

group = work
    plugin = ../plugins/demo.so
    parent = hello/greeter
    actor = primes
        class = primes
        args = 200000

group = clock
    plugin = ../plugins/demo.so
    parent = hello/greeter
    actor = ticker
        class = ticker
        args = "5 400"
