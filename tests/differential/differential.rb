#!/usr/bin/env ruby
# Differential test of calm's evaluator against the real Bud 0.9.9 (tests/differential/README.md).
#
# For every program of the shared corpus that Bud instantiates (the oracle's "ok" cases), it
# generates seeded random workloads from the program's schemas, runs each through Bud (in this
# process, see bud_side.rb) and through `calm run --scenario` (with `--delays` replaying the
# same delivery schedule), and compares every collection of every node after every timestep,
# as sets, and the messages each node sent. The first difference of a run is printed with the
# scenario file that replays it in calm and the command that replays it in Bud.
#
#   ruby tests/differential/differential.rb --calm build/analyzer/calm [--quick] [--case NAME]
#        [--mode single|multi|both] [--seeds N] [--schedules N] [--out DIR] [--jobs N]
#        [--known FILE] [--self-test] [--summary-md]
#
# Exit status: 0 no difference outside the --known list (and the self-test detected its
# injected differences), 1 a difference not listed, 2 usage error.

require 'json'
require 'optparse'
require 'fileutils'
require 'open3'
require 'set'
require 'tmpdir'

HERE = File.expand_path(__dir__)
require File.join(HERE, 'bud_side')

opts = {
  calm: nil, shared: File.expand_path('../../../shared', HERE), mode: 'both', seeds: 3,
  schedules: 5, single_steps: 6, multi_steps: 8, nodes: 3, out: nil, jobs: 2, cases: [],
  quick: false, known: nil, self_test: false, summary_md: false, verbose: false,
  inject: false, calm_modules: nil, program: nil, only_seed: nil, max_cases: nil
}
OptionParser.new do |o|
  o.on('--calm PATH') { |v| opts[:calm] = File.expand_path(v) }
  o.on('--shared DIR') { |v| opts[:shared] = File.expand_path(v) }
  o.on('--mode M') { |v| opts[:mode] = v }
  o.on('--seeds N', Integer) { |v| opts[:seeds] = v }
  o.on('--seed N', Integer) { |v| opts[:only_seed] = v }
  o.on('--schedules N', Integer) { |v| opts[:schedules] = v }
  o.on('--steps N', Integer) { |v| opts[:single_steps] = v }
  o.on('--out DIR') { |v| opts[:out] = File.expand_path(v) }
  o.on('--jobs N', Integer) { |v| opts[:jobs] = v }
  o.on('--case NAME') { |v| opts[:cases] << v }
  o.on('--max-cases N', Integer) { |v| opts[:max_cases] = v }
  o.on('--quick') { opts[:quick] = true }
  o.on('--known FILE') { |v| opts[:known] = File.expand_path(v) }
  o.on('--self-test') { opts[:self_test] = true }
  o.on('--summary-md') { opts[:summary_md] = true }
  o.on('--inject') { opts[:inject] = true }
  o.on('-v', '--verbose') { opts[:verbose] = true }
end.parse!
abort 'differential: --calm PATH is required' unless opts[:calm] && File.executable?(opts[:calm])
opts[:out] ||= Dir.mktmpdir('calm-differential')
FileUtils.mkdir_p(opts[:out])
# How often an address-like column (client, host, ...) gets a plain value instead (set per run).
$junk_addresses = 0
$address_columns = Set.new
if opts[:quick]
  opts[:seeds] = 1
  opts[:schedules] = 2
end

# ---------------------------------------------------------------- workloads

ADDRESSISH = /addr|host|client|server|dst|src|dest|node|member|agent|peer|master|sender|
              receiver|replica|leader|coord|origin|requestor|^to$|^from$|^ip|^loc|^who/x.freeze

# What can receive generated facts: input interfaces, tables and scratches no rule writes.
def input_collections(b)
  lhs = b.t_rules.to_a.map { |r| r.lhs.to_s }.to_set
  b.tables.filter_map do |name, c|
    next if Differential.internal?(name)
    # An interface or scratch that rules also write is left alone: Bud clears such a
    # scratch only when one of its inputs changed, so facts inserted from outside stay there
    # for later timesteps (docs/differences-from-bud.md), which would hide everything else.
    ok = c.instance_of?(Bud::BudTable) ||
         ((c.instance_of?(Bud::BudInputInterface) || c.instance_of?(Bud::BudScratch)) && !lhs.include?(name.to_s))
    next unless ok

    next if c.cols.nil? # a temp whose schema comes from its first rule

    [name.to_s, c.cols.map(&:to_s), c.key_cols.map(&:to_s)]
  end.sort
end

# Columns whose values flow into a channel's location column, found by following the rules
# backwards from each channel's `@` column: `a <= b` and `a <~ b` pass b's column at the same
# index; `a <= b { |x| [x.col, ...] }` passes b's column `col` to a's column at that position.
# Returns a set of [collection, column name].
def address_columns(b)
  pos = Set.new # [collection, index]
  b.tables.each do |n, c|
    pos << [n.to_s, c.locspec_idx] if c.respond_to?(:locspec_idx) && c.locspec_idx && !c.instance_variable_get(:@is_loopback)
  end
  rules = b.t_rules.to_a.map do |r|
    # Bud's rewritten text: `c < (x { ... }.~)` for `c <~ x { ... }`, `c <= (x)`.
    src = r.orig_src.to_s.sub(/\A\s*([\w.]+)\s*<\s*\((.*)\.~\)\s*\z/m, '\\1 <~ \\2')
    src = src.sub(/\A\s*([\w.]+)\s*(<[=+~-]*)\s*\((.*)\)\s*\z/m, '\\1 \\2 \\3')
    [r.lhs.to_s, src]
  end
  qualify = lambda do |lhs, name|
    return name if b.tables.key?(name.to_sym)

    q = lhs[/\A(.*\.)/, 1].to_s + name
    b.tables.key?(q.to_sym) ? q : name
  end
  5.times do
    before = pos.size
    rules.each do |lhs, src|
      if (m = src.match(/\A\s*[\w.]+\s*<[=+~-]+\s*([\w.]+)\s*\z/))
        pos.select { |c, _| c == lhs }.each { |_, k| pos << [qualify.call(lhs, m[1]), k] }
      elsif (m = src.match(/<[=+~-]+\s*\(?\s*([\w.]+)\s*(?:\{|do)\s*\|\s*(\w+)\s*\|\s*\[(.*)\]\s*(?:\}|end)\s*\)?\s*\z/m))
        from = qualify.call(lhs, m[1])
        var = m[2]
        elems = m[3]
        cols = b.tables[from.to_sym]&.cols
        next unless cols

        elems.split(',').each_with_index do |e, j|
          next unless pos.include?([lhs, j]) && (em = e.strip.match(/\A#{var}\.(\w+)\z/))

          k = cols.index(em[1].to_sym)
          pos << [from, k] if k
        end
      end
    end
    break if pos.size == before
  end
  pos.filter_map { |c, k| (cols = b.tables[c.to_sym]&.cols) && cols[k] && [c, cols[k].to_s] }.to_set
end

def channels?(b)
  b.tables.any? { |n, c| !Differential.internal?(n) && c.instance_of?(Bud::BudChannel) && !c.instance_variable_get(:@is_loopback) }
end

VALUE_MODES = %w[int string mixed].freeze

def gen_value(rng, mode, coll, col, addresses)
  # A location column always holds a node's address (an integer there only repeats Bud's
  # "illegal location specifier" error); other address-like columns usually do.
  return addresses[rng.rand(addresses.size)] if col.start_with?('@')
  if (col.match?(ADDRESSISH) || $address_columns.include?([coll, col])) && rng.rand >= $junk_addresses
    return addresses[rng.rand(addresses.size)]
  end
  m = mode == 'mixed' ? %w[int string][rng.rand(2)] : mode
  m == 'int' ? rng.rand(4) : %w[a b c d][rng.rand(4)]
end

# inputs[step][node] = {coll => [tuples]}; the first timestep (0) gets nothing (Bud's
# bootstrap would be replaced by facts given before the first tick).
def gen_inputs(rng, colls, steps, input_steps, nodes, addresses, mode, tables)
  inputs = Hash.new { |h, k| h[k] = {} }
  stored = Hash.new { |h, k| h[k] = {} } # [node, table] -> key -> the fact given for it
  (1...[steps, input_steps + 1].min).each do |t|
    nodes.times do |i|
      colls.each do |name, cols, keys|
        next unless rng.rand < (nodes > 1 ? 0.35 : 0.5)

        n = 1 + rng.rand(3)
        facts = {}
        n.times do
          tuple = cols.map { |c| gen_value(rng, mode, name, c, addresses) }
          key = keys.map { |k| tuple[cols.index(k)] }
          # A table keeps its facts: give a key stored earlier its fact again, except now
          # and then (a key conflict, or Bud's replacement of a keyed fact by <+).
          if tables.include?(name) && stored[[i, name]].key?(key) && rng.rand >= 0.1
            tuple = stored[[i, name]][key]
          end
          facts[key] ||= tuple # one fact per key per timestep: inputs never conflict
        end
        facts.each { |k, v| stored[[i, name]][k] ||= v } if tables.include?(name)
        (inputs[t][i] ||= {})[name] = facts.values
      end
    end
  end
  inputs
end

def schedule_for(index, seed)
  rng = Random.new(seed * 7919 + index)
  case index % 5
  when 0 then -> { 1 }
  when 1 then -> { 1 + rng.rand(3) }
  when 2 then -> { rng.rand < 0.2 ? 1000 : 1 + rng.rand(3) }
  when 3 then -> { 1 + rng.rand(4) }
  else -> { rng.rand < 0.35 ? 1000 : 1 + rng.rand(2) }
  end
end

SCHEDULE_NAMES = ['in order (delay 1)', 'delays 1-3 (reordering)', 'delays 1-3, 20% loss',
                  'delays 1-4', 'delays 1-2, 35% loss'].freeze

# ---------------------------------------------------------------- the calm side

def scenario_json(kase, files, modules, addresses, steps, inputs, seed, ivars)
  {
    'description' => "differential: #{kase}",
    'nodes' => addresses.each_with_index.map do |a, i|
      node = { 'name' => "n#{i}", 'address' => a, 'program' => { 'files' => files, 'modules' => modules } }
      node['instance_variables'] = ivars[i] unless ivars[i].empty?
      node
    end,
    'steps' => steps,
    'seed' => seed,
    'clock' => { 'seconds_per_step' => 1e-6, 'epoch' => Differential::EPOCH },
    'max_facts' => 200_000,
    'inputs' => inputs.keys.sort.flat_map do |t|
      inputs[t].keys.sort.map do |i|
        { 'step' => t, 'node' => "n#{i}",
          'facts' => inputs[t][i].transform_values { |ts| ts.map { |x| Differential.encode(x) } } }
      end
    end
  }
end

# calm's time and address-space limits per run; Bud's time per timestep is
# Differential::BudRun::TICK_SECONDS. (A derivation whose strings grow every round can take
# gigabytes before calm's fact limit stops it: docs/differences-from-bud.md.)
CALM_SECONDS = 30
CALM_MEMORY = 2 << 30

def run_calm(calm, scenario_path, delays)
  trace = scenario_path.sub(/\.scenario\.json\z/, '.trace.json')
  File.delete(trace) if File.exist?(trace)
  cmd = ['timeout', CALM_SECONDS.to_s, calm, 'run', '--scenario', scenario_path, '--trace', trace, '--keep-partial', '-o', '/dev/null']
  cmd += ['--delays', delays.join(',')] unless delays.empty?
  _out, err, st = Open3.capture3(*cmd, rlimit_as: CALM_MEMORY)
  tr = File.exist?(trace) ? JSON.parse(File.read(trace)) : nil
  { 'status' => st.exitstatus, 'stderr' => err, 'trace' => tr, 'cmd' => cmd }
end

# ---------------------------------------------------------------- comparison

def canon(v)
  case v
  when Array then v.map { |x| canon(x) }
  when Hash
    if v.key?('set') then { 'set' => v['set'].map { |x| canon(x) }.sort_by(&:to_json) }
    elsif v.key?('hash') then { 'hash' => v['hash'].map { |x| canon(x) }.sort_by(&:to_json) }
    else v
    end
  else v
  end
end

def tuple_set(ts)
  (ts || []).map { |t| JSON.generate(canon(t)) }.to_set
end

def sent_list(ts)
  (ts || []).map { |m| JSON.generate([m['collection'], canon(m['fact'])]) }.sort
end

REFUSAL = /calm-eval-unsupported|calm-unstratifiable|calm-unsupported|calm-parse|calm-load|not supported|unsupported/.freeze

# Compares one run. Returns {"verdict" => agree|differ|calm_refused|bud_error, ...}.
def compare(bud, calm, nodes, opts)
  tr = calm['trace']
  if tr.nil? || tr['steps'].nil?
    reason = calm['stderr'].lines.find { |l| l.include?('error') } || calm['stderr'].lines.first || 'no trace'
    return { 'verdict' => 'calm_refused', 'reason' => reason.strip[0, 300] } if calm['status'] == 2

    # 124: stopped by `timeout`; nil (a signal) or 134: out of address space (std::bad_alloc).
    stopped = [124, 134, nil].include?(calm['status'])
    if stopped && bud['error'] && bud['error']['timeout']
      # Neither finished: a program that derives for ever (a cost growing round a cycle).
      return { 'verdict' => 'agree', 'both_failed' => "neither Bud nor calm finished timestep #{bud['error']['step']}" }
    end
    if stopped
      return { 'verdict' => 'differ', 'where' => "calm did not finish within #{CALM_SECONDS} s and #{CALM_MEMORY >> 30} GiB" }
    end

    return { 'verdict' => 'differ', 'where' => 'calm crashed', 'detail' => "exit #{calm['status']}: #{calm['stderr'][0, 300]}" }
  end
  by = {}
  tr['steps'].each { |s| by[[s['step'], s['node']]] = s }
  bud['steps'].each_with_index do |row, t|
    row.each_with_index do |b, i|
      c = by[[t, "n#{i}"]]
      if c.nil?
        return { 'verdict' => 'differ', 'step' => t, 'node' => i, 'where' => 'calm stopped',
                 'detail' => calm['stderr'].lines.grep(/error/).first.to_s.strip[0, 300] }
      end
      if c['failed']
        msg = calm['stderr'].lines.grep(/error/).first.to_s.strip
        return { 'verdict' => 'calm_refused', 'reason' => msg[0, 300] } if msg.match?(/calm-eval-unsupported/)

        return { 'verdict' => 'differ', 'step' => t, 'node' => i, 'where' => 'calm failed, Bud did not',
                 'detail' => msg[0, 300] }
      end
      names = (b['contents'].keys | c['contents'].keys).sort
      names.each do |n|
        unless c['contents'].key?(n) && b['contents'].key?(n)
          # A collection one side declares and the other does not (Bud declares a temp that
          # a subclass overrides: docs/differences-from-bud.md) is a difference only if it
          # ever holds something.
          next if (c['contents'][n] || b['contents'][n]).empty?

          return { 'verdict' => 'differ', 'step' => t, 'node' => i, 'collection' => n,
                   'where' => "collection only in #{c['contents'].key?(n) ? 'calm' : 'Bud'}" }
        end
        bs = tuple_set(b['contents'][n])
        cs = tuple_set(c['contents'][n])
        next if bs == cs

        return { 'verdict' => 'differ', 'step' => t, 'node' => i, 'collection' => n,
                 'only_bud' => (bs - cs).to_a.first(5), 'only_calm' => (cs - bs).to_a.first(5) }
      end
      bsent = sent_list(b['sent'])
      csent = sent_list(c['sent'].select { |m| m.key?('address') })
      next if bsent == csent

      return { 'verdict' => 'differ', 'step' => t, 'node' => i, 'collection' => '(messages sent)',
               'only_bud' => (bsent - csent).first(5), 'only_calm' => (csent - bsent).first(5),
               'bud_sent' => bsent.size, 'calm_sent' => csent.size }
    end
  end
  if bud['error']
    e = bud['error']
    c = by[[e['step'], "n#{e['node']}"]]
    if c && c['failed']
      return { 'verdict' => 'agree', 'both_failed' => "step #{e['step']}: #{e['message'][0, 120]}" }
    end
    return { 'verdict' => 'differ', 'step' => e['step'], 'node' => e['node'], 'where' => 'Bud raised, calm did not',
             'detail' => e['message'][0, 300] }
  end
  # Every delay the harness chose must be the one calm used for the same message.
  calm_delays = tr['steps'].sort_by { |s| [s['step'], s['node'][1..].to_i] }.flat_map do |s|
    s['sent'].select { |m| m['to'] }.sort_by { |m| m['id'] }.map { |m| m['fate'] == 'lost' ? 1000 : m['deliver_at'] - s['step'] }
  end
  if calm_delays != bud['delays'].first(calm_delays.size)
    return { 'verdict' => 'harness_error', 'detail' => "delays differ: Bud #{bud['delays'].first(12)} calm #{calm_delays.first(12)}" }
  end
  { 'verdict' => 'agree' }
end

# ---------------------------------------------------------------- one case (in a child)

def run_case(kase, opts)
  corpus = File.join(opts[:shared], 'corpus')
  files = kase['files'].map { |f| f.start_with?('/') ? f : File.join(corpus, f) }
  modules = kase['modules']
  out = { 'case' => kase['name'], 'single' => [], 'multi' => [] }
  begin
    Differential.load_case(corpus, kase['files'])
    klass = Differential.program_class(modules)
    probe = Differential::BudRun.new(klass, ['127.0.0.1:54000']).nodes[0]
  rescue Exception => e # rubocop:disable Lint/RescueException
    out['bud_refused'] = "#{e.class}: #{e.message}"[0, 300]
    return out
  end
  begin
    probe.send(:tick_internal)
  rescue Exception => e # rubocop:disable Lint/RescueException
    # Bud rejects the program when it wires its rules (an illegal join predicate, ...); any
    # other error of the first timestep (a key conflict of the bootstrap facts) is behaviour
    # calm must reproduce, so the program is run and compared.
    if e.is_a?(Bud::CompileError) || e.message.include?('Exception while wiring rule')
      out['bud_refused'] = "#{e.class}: #{e.message}"[0, 300]
      return out
    end
  end
  colls = input_collections(probe)
  out['channels'] = channels?(probe)
  out['inputs'] = colls.map(&:first)
  tables = probe.tables.select { |_, c| c.instance_of?(Bud::BudTable) }.keys.map(&:to_s).to_set
  $address_columns = address_columns(probe)
  calm_modules = opts[:calm_modules] || modules
  calm_files = opts[:calm_files] || files
  # The instance variables the program's text reads, other than Bud's own: calm gets the
  # values the Bud instances' initialize gave them (a scenario node's instance_variables).
  ivar_names = calm_files.flat_map { |f| File.read(f).scan(/@[a-z_]\w*/) }.uniq -
               %w[@ip @port @local_addr @ip_port @budtime]
  modes = opts[:mode] == 'both' ? %w[single multi] : [opts[:mode]]
  modes.each do |mode|
    next if mode == 'multi' && !out['channels']

    nodes = mode == 'single' ? 1 : opts[:nodes]
    addresses = (0...nodes).map { |i| "127.0.0.1:#{54_001 + i}" }
    runs = mode == 'single' ? opts[:seeds] : opts[:schedules]
    steps = mode == 'single' ? opts[:single_steps] + 1 : opts[:multi_steps] + 2
    input_steps = mode == 'single' ? opts[:single_steps] : opts[:multi_steps] - 3
    (0...runs).each do |k|
      next if opts[:only_seed] && opts[:only_seed] != k

      seed = k + 1
      rng = Random.new(seed * 104_729 + kase['name'].sum)
      vmode = VALUE_MODES[k % 3]
      # Only runs with mixed values put a plain value into an address column now and then.
      $junk_addresses = vmode == 'mixed' && !opts[:self_test] ? 0.05 : 0
      inputs = gen_inputs(rng, colls, steps, input_steps, nodes, addresses, vmode, tables)
      schedule = mode == 'single' ? -> { 1 } : schedule_for(k, seed)
      ivars = []
      bud = begin
        runner = Differential::BudRun.new(klass, addresses, seed)
        ivars = addresses.each_index.map { |i| runner.ivars(i, ivar_names) }
        runner.run(steps, inputs, schedule)
      rescue Exception => e # rubocop:disable Lint/RescueException
        { 'refused' => "harness: #{e.class}: #{e.message}"[0, 300] + " at #{e.backtrace.first(3).join(' < ')}" }
      end
      if bud['refused']
        out['bud_refused'] = bud['refused']
        return out
      end
      if opts[:inject]
        # The self-test: drop one fact from one collection of Bud's record.
        bud['steps'].each do |row|
          row.each do |b|
            n = b['contents'].keys.sort.find { |x| !b['contents'][x].empty? }
            next unless n

            b['contents'][n] = b['contents'][n][1..]
            break
          end
        end
      end
      base = File.join(opts[:out], "#{kase['name']}.#{mode}.#{seed}")
      sc = scenario_json(kase['name'], calm_files, calm_modules, addresses, steps, inputs, seed, ivars)
      File.write("#{base}.scenario.json", JSON.pretty_generate(sc) + "\n")
      calm = run_calm(opts[:calm], "#{base}.scenario.json", bud['delays'])
      r = compare(bud, calm, nodes, opts)
      r['seed'] = seed
      r['values'] = vmode
      r['schedule'] = SCHEDULE_NAMES[k % 5] if mode == 'multi'
      r['scenario'] = "#{base}.scenario.json"
      r['calm_cmd'] = calm['cmd'].drop(2).reject { |x| x.end_with?('.trace.json') || x == '--trace' || x == '--keep-partial' || x == '-o' || x == '/dev/null' }.join(' ')
      r['bud_cmd'] = "ruby tests/differential/differential.rb --calm #{opts[:calm]} --case #{kase['name']} --mode #{mode} --seed #{k} -v"
      r['bud_error'] = bud['error'] if bud['error']
      out[mode] << r
      break if r['verdict'] == 'calm_refused'
    end
  end
  out
end

# ---------------------------------------------------------------- driver

def oracle_cases(shared)
  Dir[File.join(shared, 'oracle', '*.json')].sort.filter_map do |f|
    d = JSON.parse(File.read(f))
    next unless d['status'] == 'ok'

    { 'name' => d['case']['name'], 'files' => d['files'], 'modules' => d['modules'] }
  end
end

def run_all(cases, opts)
  results = []
  queue = cases.dup
  running = {}
  until queue.empty? && running.empty?
    while running.size < opts[:jobs] && !queue.empty?
      kase = queue.shift
      path = File.join(opts[:out], "#{kase['name']}.result.json")
      pid = fork do
        $stdout.reopen(File::NULL) unless opts[:verbose]
        $stderr.reopen(File::NULL) unless opts[:verbose]
        r = begin
          run_case(kase, opts)
        rescue Exception => e # rubocop:disable Lint/RescueException
          { 'case' => kase['name'], 'bud_refused' => "harness: #{e.class}: #{e.message}"[0, 300], 'single' => [], 'multi' => [] }
        end
        File.write(path, JSON.generate(r))
        exit!(0)
      end
      running[pid] = [kase, path, Time.now]
    end
    pid = nil
    loop do
      pid = Process.wait(-1, Process::WNOHANG)
      break if pid

      running.each do |p, (_, _, t0)|
        Process.kill('KILL', p) if Time.now - t0 > 300
      end
      sleep 0.02
    end
    kase, path, = running.delete(pid)
    r = File.exist?(path) ? JSON.parse(File.read(path)) : { 'case' => kase['name'], 'bud_refused' => 'harness: timed out or died', 'single' => [], 'multi' => [] }
    results << r
    report_case(r, opts)
  end
  results.sort_by { |r| r['case'] }
end

def case_verdict(runs)
  return nil if runs.empty?
  return 'calm_refused' if runs.any? { |r| r['verdict'] == 'calm_refused' }
  return 'harness_error' if runs.any? { |r| r['verdict'] == 'harness_error' }
  return 'differ' if runs.any? { |r| r['verdict'] == 'differ' }

  'agree'
end

def report_case(r, opts)
  %w[single multi].each do |mode|
    v = case_verdict(r[mode])
    next unless v
    next if v == 'agree' && !opts[:verbose]

    first = r[mode].find { |x| x['verdict'] != 'agree' }
    line = "#{v.ljust(12)} #{mode.ljust(6)} #{r['case']}"
    if v == 'calm_refused'
      line += ": #{first['reason']}"
    elsif first
      line += "\n  first difference: seed #{first['seed']} (#{first['values']} values#{first['schedule'] ? ", #{first['schedule']}" : ''})"
      line += ", timestep #{first['step']}, node n#{first['node']}" if first['step']
      line += ", #{first['collection']}" if first['collection']
      line += ": #{first['where']}" if first['where']
      line += "\n    only in Bud:  #{first['only_bud'].join(' ')}" if first['only_bud']&.any?
      line += "\n    only in calm: #{first['only_calm'].join(' ')}" if first['only_calm']&.any?
      if first['bud_sent'] && first['only_bud'].empty? && first['only_calm'].empty?
        line += "\n    the same messages, but Bud sent #{first['bud_sent']} and calm #{first['calm_sent']} (one sent more than once)"
      end
      line += "\n    #{first['detail']}" if first['detail']
      line += "\n    Bud raised at step #{first['bud_error']['step']}: #{first['bud_error']['message'][0, 200]}" if first['bud_error']
      line += "\n  replay calm: #{first['calm_cmd']}\n  replay Bud:  #{first['bud_cmd']}"
    end
    puts line
  end
  puts "bud_refused  #{r['case']}: #{r['bud_refused']}" if r['bud_refused'] && opts[:verbose]
end

def summary(results)
  rows = {}
  %w[single multi].each do |mode|
    considered = mode == 'single' ? results : results.select { |r| r['channels'] || !r['multi'].empty? }
    s = Hash.new(0)
    s['tried'] = considered.size
    considered.each do |r|
      if r['bud_refused']
        s['bud_refused'] += 1
        next
      end
      v = case_verdict(r[mode])
      next unless v

      s['bud_ran'] += 1
      s[v] += 1
      s['runs'] += r[mode].size
      s['both_ran'] += 1 if %w[agree differ harness_error].include?(v)
    end
    rows[mode] = s
  end
  rows
end

def print_summary(rows, opts)
  pct = ->(a, b) { b.zero? ? '-' : format('%.1f%%', 100.0 * a / b) }
  puts
  puts '| mode | programs tried | Bud refused | Bud ran | calm refused | both ran | agree | disagree | runs |'
  puts '|---|---|---|---|---|---|---|---|---|'
  rows.each do |mode, s|
    label = mode == 'single' ? "single-node (#{opts[:seeds]} seeds x #{opts[:single_steps]} timesteps)" :
                               "multi-node (#{opts[:nodes]} nodes, #{opts[:schedules]} schedules)"
    puts "| #{label} | #{s['tried']} | #{s['bud_refused']} | #{s['bud_ran']} | " \
         "#{s['calm_refused']} (#{pct[s['calm_refused'], s['bud_ran']]}) | #{s['both_ran']} | " \
         "#{s['agree']} (#{pct[s['agree'], s['both_ran']]}) | #{s['differ'] + s['harness_error']} | #{s['runs']} |"
  end
end

# ---------------------------------------------------------------- self-test

# Proves the comparison can fail: a program pair that differs in one rule, and a run whose
# Bud record has one fact dropped, must both be reported as differences; the same program
# on both sides must agree.
def self_test(opts)
  dir = File.join(HERE, 'selftest')
  kase = ->(mods) { { 'name' => "selftest_#{mods.join('+')}", 'files' => [File.join(dir, 'selftest.rb')], 'modules' => mods } }
  n = 0
  checks = [
    ['the same program agrees', kase.call(['SelfTestGood']), {}, 'agree'],
    ['a program pair that differs in one rule differs', kase.call(['SelfTestGood']), { calm_modules: ['SelfTestOffByOne'] }, 'differ'],
    ['a dropped fact is a difference', kase.call(['SelfTestGood']), { inject: true }, 'differ'],
    ['a channel program agrees under a lossy schedule', kase.call(['SelfTestPing']), {}, 'agree'],
    ['a channel pair that differs in one rule differs', kase.call(['SelfTestPing']), { calm_modules: ['SelfTestPingTwice'] }, 'differ']
  ]
  failed = 0
  checks.each do |label, k, extra, want|
    o = opts.merge(extra).merge(seeds: 3, schedules: 5)
    k = k.merge('name' => "#{k['name']}.check#{n += 1}")
    path = File.join(opts[:out], 'selftest.json')
    pid = fork do
      $stdout.reopen(File::NULL) unless opts[:verbose]
      r = begin
        run_case(k, o)
      rescue Exception => e # rubocop:disable Lint/RescueException
        { 'bud_refused' => "#{e.class}: #{e.message}" }
      end
      File.write(path, JSON.generate(r))
      exit!(0)
    end
    Process.wait(pid)
    FileUtils.cp(path, path + "." + label.tr(" ", "_")) if opts[:verbose]
    r = JSON.parse(File.read(path))
    got = r['bud_refused'] ? "Bud refused: #{r['bud_refused']}" :
                             ([case_verdict(r['single']), case_verdict(r['multi'])].compact.include?(want) ? want : [case_verdict(r['single']), case_verdict(r['multi'])].compact.join('/'))
    ok = got == want
    failed += 1 unless ok
    puts "self-test: #{ok ? 'ok  ' : 'FAIL'} #{label} (#{got})"
  end
  failed.zero?
end

# ---------------------------------------------------------------- main

if opts[:self_test]
  exit(self_test(opts) ? 0 : 1)
end

cases = oracle_cases(opts[:shared])
cases = cases.select { |c| opts[:cases].include?(c['name']) } unless opts[:cases].empty?
cases = cases.first(opts[:max_cases]) if opts[:max_cases]
abort "differential: no oracle cases under #{opts[:shared]}/oracle" if cases.empty?
t0 = Time.now
results = run_all(cases, opts)
rows = summary(results)
print_summary(rows, opts)
puts "\n#{results.sum { |r| r['single'].size + r['multi'].size }} runs in #{(Time.now - t0).round(1)} s; scenarios and traces in #{opts[:out]}"
File.write(File.join(opts[:out], 'results.json'), JSON.pretty_generate(results))

known = opts[:known] && File.exist?(opts[:known]) ? File.readlines(opts[:known]).map(&:strip).reject { |l| l.empty? || l.start_with?('#') }.map { |l| l.split(/\s+/, 3).first(2).join(' ') }.to_set : Set.new
unexpected = []
results.each do |r|
  %w[single multi].each do |mode|
    v = case_verdict(r[mode])
    next unless %w[differ harness_error].include?(v)

    unexpected << "#{mode} #{r['case']}" unless known.include?("#{mode} #{r['case']}")
  end
end
if opts[:known]
  fixed = known.select do |k|
    mode, name = k.split(' ', 2)
    r = results.find { |x| x['case'] == name }
    r && case_verdict(r[mode]) == 'agree'
  end
  fixed.each { |k| puts "note: #{k} is listed in #{File.basename(opts[:known])} but agreed in this run" }
  unexpected.each { |k| puts "NEW DIFFERENCE: #{k} (not in #{File.basename(opts[:known])})" }
end
exit(opts[:known] && !unexpected.empty? ? 1 : 0)
