from kitchenctl.cli.main import main

main()
