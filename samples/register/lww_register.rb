# Lesson: a "last-writer-wins" register is order-sensitive.
#
# Writes travel over a channel and are applied with the upsert operator <+-,
# which replaces the current value for the key. Upsert deletes the old value,
# so it is non-monotonic: the value that survives is the last one to *arrive*,
# and two replicas that receive the same writes in different orders end up
# with different values. The upsert edge write_chan -> register is the point
# of order. Making replicas agree needs coordination (ordering the writes), or
# a merge that ignores arrival order (e.g. keeping the write with the highest
# timestamp in a lattice).
require 'rubygems'
require 'bud'

module LWWRegister
  state do
    interface input, :write_req, [:server, :reg, :val]
    interface input, :read_req, [:reqid] => [:reg]
    interface output, :read_resp, [:reqid] => [:reg, :val]
    channel :write_chan, [:@server, :reg, :val]
    table :register, [:reg] => [:val]
  end

  bloom :write do
    write_chan <~ write_req
    register <+- write_chan { |w| [w.reg, w.val] } # expect: point-of-order write_chan -> register
  end

  bloom :read do
    read_resp <= (read_req * register).pairs(:reg => :reg) { |q, r| [q.reqid, r.reg, r.val] }
  end
end
