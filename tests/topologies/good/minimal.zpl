#   The smallest topology: a name, one group, one actor of a built-in
#   class. Everything else takes its default.
run
    name = minimal

group = solo
    actor = echoer
        class = echo
