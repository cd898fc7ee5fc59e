# A route service written the way real repositories write Bud: schemas derived from
# other collections' columns, a bootstrap block with a statement modifier, a gem that
# calm does not read, and debug prints to stdio. calm reads all of it quietly: the
# gem require is a note, the bootstrap rule is a bootstrap rule, and stdio is not an
# output that needs coordination (see docs/front-ends.md).
require 'rubygems'
require 'bud'
require 'uuid'

module RouteProtocol # expect: underspecified route_req input; underspecified route_resp output
  state do
    interface input, :route_req, [:id, :from, :to]
    interface output, :route_resp, [:id] => [:from, :to, :cost]
  end
end

class RouteService
  include Bud
  include RouteProtocol

  state do
    table :link, [:from, :to] => [:cost]
    # [:from, :to, :via] => [:cost], computed from link's columns
    table :path, link.key_cols + [:via] => link.val_cols
    # [:from, :to, :cost]: route_resp's columns without the request id
    scratch :best, route_resp.cols[1..-1]
  end

  bootstrap do
    link <= [['a', 'b', 1], ['b', 'c', 2], ['a', 'c', 5]] if link.empty?
  end

  bloom :paths do
    path <= link {|l| [l.from, l.to, l.to, l.cost]}
    path <= (link * path).pairs(:to => :from) {|l, p| [l.from, p.to, l.to, l.cost + p.cost]}
    best <= path.argmin([:from, :to], :cost) {|p| [p.from, p.to, p.cost]} # expect: point-of-order path -> best
  end

  bloom :answer do
    route_resp <= (route_req * best).pairs(:from => :from, :to => :to) {|r, b| [r.id, b.from, b.to, b.cost]}
    stdio <~ route_req {|r| ["route request #{r.id}"]}
  end
end
