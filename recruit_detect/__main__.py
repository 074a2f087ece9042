from recruit_detect.cli import main

main()
