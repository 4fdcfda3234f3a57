"""Document kinds, one folder each: its content model, how it becomes steps, and its helpers.

`base.Kind` is the contract, `registry.KINDS` the list a new kind joins with one line.
"""
