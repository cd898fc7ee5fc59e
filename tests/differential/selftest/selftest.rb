# Programs for the differential harness's self-test (differential.rb --self-test): each pair
# differs in one rule, so comparing one in Bud with the other in calm must find a difference.
require 'bud'

module SelfTestGood
  state do
    table :link, [:x, :y]
    table :path, [:x, :y]
    interface input, :query, [:x]
    scratch :answer, [:x, :y]
  end

  bloom do
    path <= link
    path <= (link * path).pairs(:y => :x) { |l, p| [l.x, p.y] }
    answer <= (query * path).rights(:x => :x)
  end
end

module SelfTestOffByOne
  state do
    table :link, [:x, :y]
    table :path, [:x, :y]
    interface input, :query, [:x]
    scratch :answer, [:x, :y]
  end

  bloom do
    path <= link
    path <= link { |l| [l.y, l.x] }
    path <= (link * path).pairs(:y => :x) { |l, p| [l.x, p.y] }
    answer <= (query * path).rights(:x => :x)
  end
end

module SelfTestPing
  state do
    interface input, :send_to, [:dst, :v]
    channel :ping, [:@dst, :src, :v]
    table :got, [:src, :v]
  end

  bloom do
    ping <~ send_to { |s| [s.dst, ip_port, s.v] }
    got <= ping { |p| [p.src, p.v] }
  end
end

module SelfTestPingTwice
  state do
    interface input, :send_to, [:dst, :v]
    channel :ping, [:@dst, :src, :v]
    table :got, [:src, :v]
  end

  bloom do
    ping <~ send_to { |s| [s.dst, ip_port, s.v] }
    ping <~ send_to { |s| [s.dst, ip_port, 9] }
    got <= ping { |p| [p.src, p.v] }
  end
end
