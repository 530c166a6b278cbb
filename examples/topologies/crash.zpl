#   crash - a group that crashes, is restarted, and whose parent hears why
#
#   Run it from the build tree:
#       build/supervisor/actor-run build/examples/topologies/crash.zpl
#   Group "crashy" dereferences NULL 700 ms after each start. The
#   supervisor restarts it (with a back-off), and its parent, the watcher
#   in group "steady", is told each time: "signal 11". Meanwhile the
#   pinger in "steady" keeps asking its counter, whose count keeps rising:
#   the crashes of another process never touch it. After three crashes
#   the watcher ends the run.

run
    name = crash
    strategy = one_for_one
    intensity = 5
    period = 10s
    backoff_min = 100ms
    backoff_max = 1s

group = steady
    plugin = ../plugins/demo.so
    actor = watcher
        class = watcher
        args = 3
    actor = pinger
        class = pinger
        args = 250

group = crashy
    plugin = ../plugins/demo.so
    parent = steady/watcher
    actor = victim
        class = crasher
        args = 700
