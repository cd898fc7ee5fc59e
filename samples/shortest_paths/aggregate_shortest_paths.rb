# Lesson: shortest paths with ordinary aggregates need coordination.
#
# AggregateShortestPaths enumerates path costs monotonically, then picks the
# minimum with group(..., min(:cost)) and the cheapest route with argmin.
# Both aggregates are non-monotonic: a later, cheaper link can change an answer
# already given, so each is a point of order. There is no cycle through the
# aggregates, so no temporal cluster.
#
# IterativeShortestPaths only extends the best path known so far and feeds it
# back next tick (<+). The aggregate is now inside a cycle with a temporal
# edge, so best_so_far and path collapse into a temporal cluster, and the
# links entering it are points of order.
require 'rubygems'
require 'bud'

module AggregateShortestPaths
  MAX_COST = 1000

  state do
    table :link, [:from, :to] => [:cost]
    table :path, [:from, :to, :next_hop, :cost]
    scratch :shortest, [:from, :to] => [:cost]
    scratch :best_route, [:from, :to, :next_hop, :cost]
  end

  bloom :paths do
    path <= link { |l| [l.from, l.to, l.to, l.cost] }
    path <= (link * path).pairs(:to => :from) do |l, p|
      [l.from, p.to, l.to, l.cost + p.cost] if l.cost + p.cost < MAX_COST
    end
  end

  bloom :summary do
    shortest <= path.group([:from, :to], min(:cost)) # expect: point-of-order path -> shortest
    best_route <= path.argmin([:from, :to], :cost)    # expect: point-of-order path -> best_route
  end
end

module IterativeShortestPaths
  state do # expect: temporal-cluster best_so_far, path
    table :link, [:from, :to] => [:cost]
    table :path, [:from, :to, :next_hop, :cost]
    scratch :best_so_far, [:from, :to] => [:cost]
  end

  bloom :relax do
    path <= link { |l| [l.from, l.to, l.to, l.cost] }            # expect: point-of-order link -> path
    best_so_far <= path.group([:from, :to], min(:cost))         # expect: point-of-order path -> best_so_far
    path <+ (link * best_so_far).pairs(:to => :from) do |l, b|  # expect: point-of-order link -> path
      [l.from, b.to, l.to, l.cost + b.cost]
    end
  end
end
