from mlcatalogue.cli import main

main()
