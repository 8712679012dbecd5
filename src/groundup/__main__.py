from groundup.cli.main import main

main()
