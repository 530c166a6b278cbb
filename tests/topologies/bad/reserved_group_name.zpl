# expect: 5: group name 'lock' is reserved: RUNDIR/lock is the run's lock file
run
    name = locked

group = lock
    actor = a
        class = sink
