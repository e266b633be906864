from datafeeds_core.cli import main

main()
