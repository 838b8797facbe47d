"""The workflows' parts without I/O, one module per workflow: results, rules, plans, note
bodies and the checks made before the first write. The async workflows (``.._async``) and their
generated sync twins (``.._sync``) share them, and the public modules (``..meeting``,
``..pipeline`` ...) re-export what callers use."""
