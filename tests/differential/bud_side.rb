# The Bud side of the differential harness (tests/differential/README.md): loads one corpus
# program's class and module definitions into this Ruby process, instantiates the Bud class
# once per node, and runs a workload (facts per timestep and node, and a delivery schedule)
# through the real Bud, recording every collection after every timestep.
#
# Channel sends never touch a socket: BudChannel#flush is replaced so that each timestep's
# sends are collected, packed and unpacked with MessagePack as Bud's wire would, and put into
# the receiving instance's inbound buffer at the timestep the schedule says.

require 'bud'
require 'json'
require 'set'
require 'timeout'

module Differential
  # Bud's own collections, never compared (calm marks them builtin too).
  BUILTIN = %i[localtick stdio halt periodics_tbl t_cycle t_depends t_provides t_rule_stratum
               t_rules t_stratum t_table_info t_table_schema t_underspecified].freeze

  # Bud's built-in collections, and the scratches it makes for a literal on a rule's right
  # (`t1 <= [[1, 2]]` reads expr_<object id>).
  def self.internal?(name)
    BUILTIN.include?(name.to_sym) || name.to_s.match?(/\Aexpr_\d+\z/)
  end

  # Loads the corpus files of one case: library files with `require`, test files (tc_*.rb)
  # with only their top-level class, module and constant definitions and requires (no test
  # classes, no minitest), at their own line numbers so Bud's rewriter reads the right text.
  def self.load_case(corpus, files)
    files.each do |rel|
      path = rel.start_with?('/') ? rel : File.expand_path(File.join(corpus, rel))
      root = rel.start_with?('/') ? File.dirname(rel) : File.join(corpus, rel.split('/').first)
      [root, File.dirname(path)].each { |d| $LOAD_PATH.unshift(d) unless $LOAD_PATH.include?(d) }
      Dir.chdir(File.dirname(path))
      if File.basename(path).start_with?('tc_') || rel.include?('/test/')
        load_definitions(path)
      else
        require path
      end
    end
  end

  def self.load_definitions(path)
    src = File.read(path)
    lines = src.lines
    ast = RubyVM::AbstractSyntaxTree.parse(src)
    body = ast.children[2]
    stmts = body.nil? ? [] : (body.type == :BLOCK ? body.children : [body])
    keep = Array.new(lines.size, false)
    stmts.each do |n|
      next unless n.is_a?(RubyVM::AbstractSyntaxTree::Node)
      text = lines[(n.first_lineno - 1)..(n.last_lineno - 1)].join
      ok = case n.type
           when :CLASS
             sup = n.children[1]
             sup.nil? || !lines[sup.first_lineno - 1][sup.first_column...].to_s.match?(/MiniTest|Minitest|Test::Unit|TestCase/)
           when :MODULE, :CDECL then true
           when :FCALL, :VCALL
             text.match?(/\A\s*require/) && !text.match?(/test_common|minitest|test\/unit/)
           else false
           end
      (n.first_lineno - 1..n.last_lineno - 1).each { |i| keep[i] = true } if ok
    end
    out = lines.each_with_index.map { |l, i| keep[i] ? l : "\n" }.join
    TOPLEVEL_BINDING.eval(out, path, 1)
  end

  # The class to instantiate: the one class named, or a class including Bud and the modules.
  def self.program_class(modules)
    consts = modules.map { |m| m.split('::').inject(Object) { |o, c| o.const_get(c) } }
    return consts[0] if consts.size == 1 && consts[0].is_a?(Class)
    Class.new do
      include Bud
      consts.each { |c| include c }
    end
  end

  # A Ruby value as calm's scenario/trace JSON (docs/scenario.md, "Values").
  def self.encode(v)
    case v
    when nil, true, false, Integer, String then v
    when Float then v.finite? ? v : { 'inspect' => v.to_s }
    when Symbol then { 'sym' => v.to_s }
    when Struct, Array then v.to_a.map { |x| encode(x) }
    when Set then { 'set' => v.to_a.map { |x| encode(x) } }
    when Hash then { 'hash' => v.to_a.map { |k, x| [encode(k), encode(x)] } }
    when Bud::Lattice then { 'inspect' => lattice_text(v) }
    when Time then { 'time' => v.subsec.zero? ? v.to_i : v.to_f }
    else { 'inspect' => v.inspect }
    end
  end

  # A lattice value as calm's Value::inspect writes it: Bud's `<lset: [1, 2]>`, but with the
  # elements of sets and the keys of maps in calm's order (Bud sorts a set's elements with
  # Ruby's <=>, which fails on mixed types, and keeps a map's insertion order).
  def self.lattice_text(v)
    w = v.class.wrapper
    r = v.reveal
    inner = case r
            when true, false then r.to_s
            when Set, Array then "[#{r.to_a.sort_by { |x| CalmOrder.key(x) }.map { |x| calm_inspect(x) }.join(', ')}]"
            when Hash then "{#{r.to_a.sort_by { |k, _| CalmOrder.key(k) }.map { |k, x| "#{calm_inspect(k)}=>#{calm_inspect(x)}" }.join(', ')}}"
            else calm_inspect(r)
            end
    "<#{w}: #{inner}>"
  end

  def self.calm_inspect(x)
    case x
    when Bud::Lattice then lattice_text(x)
    when Struct, Array then "[#{x.to_a.map { |y| calm_inspect(y) }.join(', ')}]"
    when Hash then "{#{x.map { |k, y| "#{calm_inspect(k)}=>#{calm_inspect(y)}" }.join(', ')}}"
    when Set then "#<Set: {#{x.to_a.map { |y| calm_inspect(y) }.join(', ')}}>"
    else x.inspect
    end
  end

  # Collected sends: [[node index, qualified channel name, wire tuple, loopback?]].
  @outbox = []
  class << self
    attr_accessor :outbox, :current_node
  end
end

module Bud
  class BudChannel
    # Replaces the socket send: checks the location like Bud, then puts the tuple, in the
    # form it would have after MessagePack (and Marshal for lattices), into the harness's
    # outbox. The harness delivers it.
    def flush
      @pending.each_value do |t|
        unless @is_loopback
          ls = split_locspec(t, @locspec_idx)
          if ls[0].nil? || ls[1].nil? || ls[0] == '' || ls[1] == ''
            raise Bud::Error, "'#{t[@locspec_idx]}', channel '#{@tabname}'"
          end
        end
        wire = t.to_a.map do |f|
          if [Bud::Lattice, Class].any? { |k| f.class <= k }
            Marshal.load(Marshal.dump(f))
          else
            begin
              MessagePack.unpack(f.to_msgpack)
            rescue NoMethodError
              Marshal.load(Marshal.dump(f))
            end
          end
        end
        Differential.outbox << [Differential.current_node, qualified_tabname.to_s, wire, @is_loopback]
      end
      @pending.clear
    end
  end
end

# calm's Time.now / Time.new is the node's logical time: the scenario clock's epoch plus the
# timestep (NodeOptions::time_epoch). While a node ticks, Bud's Time.now and Time.new
# without arguments give the same (Differential.fake_now), in UTC as calm's.
ENV['TZ'] = 'UTC'
class << Time
  alias_method :calm_real_now, :now
  alias_method :calm_real_new, :new

  def now(*args, **kw)
    Differential.fake_now || calm_real_now(*args, **kw)
  end

  def new(*args, **kw)
    args.empty? && kw.empty? && Differential.fake_now ? Differential.fake_now : calm_real_new(*args, **kw)
  end
end

# While a node ticks (Differential.ticking), Kernel#rand, in rule blocks and in Bud's
# choose_rand, draws from the running node's calm generator. (Kernel, not the instance: a
# rule block's self is not always the instance that ticks.)
module Kernel
  alias calm_real_rand rand

  private

  def rand(*args)
    return calm_real_rand(*args) unless Differential.ticking

    Differential.rngs[Differential.current_node].rand(*args)
  end
end

module Differential
  # calm's `rand` (runtime/eval/evaluator.cpp, NodeOptions::random_seed): splitmix64 whose
  # state starts at the scenario's seed XOR the 64-bit FNV-1a hash of the node's address;
  # rand(n) is floor(bits53 * |n| / 2^53), a Float bits53 / 2^53 when |n| < 1. The harness
  # gives each Bud instance this generator in place of Kernel#rand (and Bud's choose_rand
  # its node's), so a program that draws random numbers is compared on the same draws.
  class CalmRand
    MASK = (1 << 64) - 1

    def initialize(seed, address)
      h = 0xcbf29ce484222325
      address.each_byte { |c| h = ((h ^ c) * 0x100000001b3) & MASK }
      @state = (seed ^ h) & MASK
    end

    def next53
      @state = (@state + 0x9e3779b97f4a7c15) & MASK
      z = @state
      z = ((z ^ (z >> 30)) * 0xbf58476d1ce4e5b9) & MASK
      z = ((z ^ (z >> 27)) * 0x94d049bb133111eb) & MASK
      z ^= z >> 31
      z >> 11
    end

    def rand(n = nil)
      bits = next53
      m = case n
          when Integer then n.abs
          when Numeric then [n.abs.truncate, 1 << 63].min
          else 0
          end
      return bits.to_f * 2.0**-53 if m < 1
      (bits * m) >> 53
    end
  end

  # Time.now at timestep 0 (the scenario clock's epoch; calm's default too).
  EPOCH = 1_000_000_000

  class << self
    attr_accessor :rngs # the running nodes' CalmRand, by node index
    attr_accessor :fake_now # Time.now while a node ticks
    attr_accessor :ticking # true while a node ticks
  end

  # Runs one workload through Bud. `workload`: {"addresses" => [...], "steps" => N,
  # "inputs" => [{"step", "node", "facts" => {coll => [tuples]}}], "delay" => lambda}.
  # Returns {"steps" => [[{"contents" => {...}, "sent" => [...]} per node] per step],
  # "error" => {"step", "node", "message"} or nil}.
  class BudRun
    # A timestep that takes longer has most likely met a program that derives for ever
    # (costs growing round a cycle); calm stops those at its fact limit.
    TICK_SECONDS = 10
    attr_reader :nodes

    def initialize(klass, addresses, seed = 1)
      Differential.rngs = addresses.map { |a| CalmRand.new(seed, a) }
      @nodes = addresses.each_with_index.map do |a, i|
        ip, port = a.split(':')
        b = klass.new(ip: ip, port: port.to_i)
        # A class whose initialize takes its own arguments (ChatClient's nick, server, opts)
        # got the options as its first argument: give Bud the address anyway.
        b.options[:port] = port.to_i
        b.instance_variable_set(:@ip, ip)
        # Bud sets @port when its EventMachine server starts, before the bootstrap block
        # runs (Bud's own test of ChannelBootstrap expects a port > 1024 there); the
        # harness ticks without a server, so it sets what the server would have.
        b.instance_variable_set(:@port, port.to_i)
        b
      end
      @addresses = addresses
      # What initialize set, before any timestep (the scenario gives calm the same).
      @initial_ivars = @nodes.map do |b|
        b.instance_variables.to_h { |n| [n.to_s, b.instance_variable_get(n)] }
      end
    end

    PLAIN = [String, Integer, Float, Symbol, TrueClass, FalseClass, NilClass].freeze

    def self.plain?(v)
      PLAIN.any? { |k| v.is_a?(k) } || (v.is_a?(Array) && v.all? { |x| plain?(x) }) ||
        (v.is_a?(Hash) && v.all? { |k, x| plain?(k) && plain?(x) })
    end

    # Node i's instance variables named in `names` whose values are plain data, encoded for
    # a scenario's "instance_variables".
    def ivars(i, names)
      (@initial_ivars[i].slice(*names).select { |_, v| BudRun.plain?(v) })
        .transform_values { |v| Differential.encode(v) }
    end

    def user_collections(b)
      names = b.tables.keys.reject { |n| Differential.internal?(n) }
      names + b.lattices.keys
    end

    def dump(b)
      out = {}
      b.tables.each do |name, c|
        next if Differential.internal?(name)
        out[name.to_s] = c.to_a.map { |t| Differential.encode(t) }
      end
      b.lattices.each do |name, w|
        out[name.to_s] = [[Differential.encode(w.current_value)]]
      end
      out
    end

    # inputs_at: step -> node -> {coll => tuples}; delay: (from, step, coll, tuple) -> steps
    # or nil (lost). Returns the record.
    def run(steps, inputs_at, schedule)
      in_flight = Hash.new { |h, k| h[k] = [] } # step -> [[node, coll, tuple]]
      record = { 'steps' => [], 'error' => nil, 'delays' => [] }
      steps.times do |t|
        row = []
        @nodes.each_with_index do |b, i|
          (in_flight[t].select { |m| m[0] == i }).each do |_, coll, tuple|
            b.inbound[coll.to_sym] ||= []
            b.inbound[coll.to_sym] << tuple
          end
          Differential.outbox = []
          Differential.current_node = i
          begin
            (inputs_at.dig(t, i) || {}).each do |coll, tuples|
              b.tables[coll.to_sym] <+ tuples
            end
            Differential.fake_now = Time.at(EPOCH + b.budtime).utc
            Differential.ticking = true
            Timeout.timeout(TICK_SECONDS) { b.send(:tick_internal) }
          rescue Timeout::Error
            record['error'] = { 'step' => t, 'node' => i, 'timeout' => true,
                                'message' => "Bud did not finish the timestep within #{TICK_SECONDS} s" }
            record['steps'] << row
            return record
          rescue Exception => e # rubocop:disable Lint/RescueException
            record['error'] = { 'step' => t, 'node' => i, 'message' => "#{e.class}: #{e.message}"[0, 500] }
            record['steps'] << row
            return record
          ensure
            Differential.fake_now = nil
            Differential.ticking = false
          end
          sent = []
          Differential.outbox.each do |_, coll, tuple, loopback|
            if loopback
              in_flight[t + 1] << [i, coll, tuple]
              next
            end
            sent << [coll, tuple]
          end
          # calm draws the delays of one node's sends in its order: by collection, address,
          # tuple (runtime/eval/evaluator.cpp sorts StepResult::sent).
          sent = sent.uniq.sort_by { |coll, tuple| [coll, CalmOrder.key(tuple[loc_index(b, coll)]), CalmOrder.key(tuple)] }
          sent_json = []
          sent.each do |coll, tuple|
            addr = tuple[loc_index(b, coll)]
            to = @addresses.index(addr)
            entry = { 'collection' => coll, 'fact' => Differential.encode(tuple) }
            if to
              d = schedule.call
              record['delays'] << d
              in_flight[t + d] << [to, coll, tuple] if d < 1000
            end
            sent_json << entry
          end
          row << { 'contents' => dump(b), 'sent' => sent_json }
        end
        record['steps'] << row
      end
      record
    end

    def loc_index(b, coll)
      c = b.tables[coll.to_sym]
      c.respond_to?(:locspec_idx) && c.locspec_idx ? c.locspec_idx : 0
    end
  end

  # A sort key that orders values as calm's Value::compare does (nil < booleans < numbers <
  # strings < symbols < arrays < hashes < sets), enough for the values the harness makes.
  module CalmOrder
    def self.key(v)
      case v
      when nil then [0]
      when false then [1, 0]
      when true then [1, 1]
      when Numeric then [2, v]
      when String then [3, v.b]
      when Symbol then [4, v.to_s.b]
      when Struct, Array then [5, v.to_a.map { |x| key(x) }]
      when Hash then [6, v.to_a.map { |k, x| [key(k), key(x)] }]
      when Set then [7, v.to_a.map { |x| key(x) }]
      else [8, v.inspect]
      end
    end

    def self.compare(a, b)
      ka = key(a)
      kb = key(b)
      (ka <=> kb) || 0
    end
  end
end
