# expect: 5: tab in indentation: indent with 4 spaces per level
run
    name = demo
group = web
	actor = front
        class = echo
