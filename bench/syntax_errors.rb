#!/usr/bin/env ruby
# Where does calm place a syntax error, compared with `ruby -c`?
#
# Takes corpus files that Ruby accepts, breaks each in one place (deletes one bracket,
# one `end`, or one quote, chosen at random with a fixed seed), keeps the mutants that
# `ruby -c` rejects, and compares the line of calm's calm-parse-error with Ruby's.
# Prints the agreement rate, per kind of mutation, and a few disagreements.
#
# Usage: ruby bench/syntax_errors.rb [path/to/calm] [mutants] [seed]
require 'open3'
require 'tmpdir'

calm = ARGV[0] || 'build/bin/calm'
wanted = (ARGV[1] || 300).to_i
seed = (ARGV[2] || 18).to_i
corpus = File.expand_path('../../shared/corpus', __dir__)
unless File.directory?(corpus)
  puts "bench/syntax_errors.rb: #{corpus} is absent; nothing to measure"
  exit 0
end
abort "bench/syntax_errors.rb: #{calm} not found (build the calm target)" unless File.executable?(calm)

rng = Random.new(seed)
files = Dir.glob(File.join(corpus, '**', '*.rb')).sort
KINDS = {
  'bracket' => /[\[\]\(\)\{\}]/,
  'end' => /\bend\b/,
  'quote' => /['"]/
}.freeze

def ruby_error_line(path)
  out, status = Open3.capture2e('ruby', '-c', path)
  return nil if status.success?
  m = out.match(/^#{Regexp.escape(path)}:(\d+):/)
  m && m[1].to_i
end

def calm_error(calm, path)
  out, st = Open3.capture2e(calm, 'check', '--no-config', path, '--format', 'text')
  status = st.exitstatus
  m = out.match(/^#{Regexp.escape(path)}:(\d+):(\d+): error: (.*calm-parse-error.*)$/)
  [m && m[1].to_i, status, m && m[3]]
end

stats = Hash.new { |h, k| h[k] = { n: 0, same: 0, near: 0, exit2: 0, reported: 0 } }
misses = []
tried = 0
Dir.mktmpdir do |dir|
  while stats.values.sum { |s| s[:n] } < wanted && tried < wanted * 20
    tried += 1
    file = files[rng.rand(files.size)]
    text = File.read(file)
    kind = KINDS.keys[rng.rand(KINDS.size)]
    spots = []
    text.scan(KINDS[kind]) { spots << Regexp.last_match.begin(0) }
    next if spots.empty?
    at = spots[rng.rand(spots.size)]
    len = kind == 'end' ? 3 : 1
    mutant = text[0...at] + text[(at + len)..]
    path = File.join(dir, File.basename(file))
    File.write(path, mutant)
    rline = ruby_error_line(path)
    next unless rline  # Ruby still accepts it: not a syntax error
    cline, status, msg = calm_error(calm, path)
    s = stats[kind]
    s[:n] += 1
    s[:reported] += 1 if cline
    s[:exit2] += 1 if status == 2
    s[:same] += 1 if cline == rline
    s[:near] += 1 if cline && (cline - rline).abs <= 2
    if cline != rline && misses.size < 12
      misses << "#{File.basename(file)} (#{kind} deleted at line #{text[0...at].count("\n") + 1}): " \
                "ruby #{rline}, calm #{cline.inspect} #{msg}"
    end
  end
end

total = stats.values.each_with_object(Hash.new(0)) { |s, t| s.each { |k, v| t[k] += v } }
pct = ->(a, b) { b.zero? ? 'n/a' : format('%.1f%%', 100.0 * a / b) }
puts "syntax error locations, calm vs ruby -c (seed #{seed}):"
(stats.keys.sort + ['all']).each do |k|
  s = k == 'all' ? total : stats[k]
  puts format('  %-8s %4d mutants: same line %s, within 2 lines %s, reported %s, exit 2 %s',
              k, s[:n], pct.(s[:same], s[:n]), pct.(s[:near], s[:n]), pct.(s[:reported], s[:n]),
              pct.(s[:exit2], s[:n]))
end
puts 'some disagreements:'
misses.each { |m| puts "  #{m}" }
