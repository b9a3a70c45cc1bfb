"""What orchestrates the stages: the command line (:mod:`hftp.apps.cli`), the demo
(:mod:`hftp.apps.demo`) and the HTML report (:mod:`hftp.apps.report`). Nothing in the stages
imports this package.
"""
