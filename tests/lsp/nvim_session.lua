-- An editing session against `calm lsp` with Neovim's own LSP client (Neovim 0.7+),
-- headless. Run by tests/lsp/nvim_test.sh, once per mode:
--
--   CALM=build/bin/calm CALM_LSP_FILE=$scratch/membership.rb CALM_LSP_SCRATCH=$scratch \
--     nvim --headless --clean -n -u NONE -i NONE -c "luafile tests/lsp/nvim_session.lua"
--
-- CALM_LSP_MODE picks the session:
--   sample (default)  CALM_LSP_FILE is a copy of tests/lsp/editing_sample.rb: diagnostics,
--                     edits, hover, definition, symbols, a quick fix, a syntax error, a save.
--   corpus            CALM_LSP_FILE is a copy of a real program of ../shared/corpus: its
--                     diagnostics must be those of `calm check --format json` on it; then the
--                     rule starting with CALM_LSP_RULE gets CALM_LSP_INSERT (e.g. `.notin(x)`)
--                     appended, which must raise a calm-point-of-order there, and the quick
--                     fix "Allow calm-point-of-order here" must make it go away.
-- CALM_LSP_FILE lies inside CALM_LSP_SCRATCH (the session edits it, the sample one saves it).
-- Prints one "ok: ..." / "FAIL: ..." line per step and exits with status 0 when every step
-- passed, 1 at the first failure (or on a timeout).

local CALM = os.getenv('CALM')
local FILE = os.getenv('CALM_LSP_FILE')
local SCRATCH = os.getenv('CALM_LSP_SCRATCH')
local MODE = os.getenv('CALM_LSP_MODE') or 'sample'
local WAIT_MS = tonumber(os.getenv('CALM_LSP_WAIT_MS') or '') or 10000 -- per step
local HARD_LIMIT_MS = 45000 -- the whole session

local function out(line)
  io.stdout:write(line .. '\n')
  io.stdout:flush()
end

-- A failed step stops the session: error() with this marker unwinds to the pcall below.
local Failure = {}
local function fail(msg)
  out('FAIL: ' .. msg)
  error(Failure)
end
local function ok(msg) out('ok: ' .. msg) end
local function check(cond, good, bad)
  if cond then ok(good) else fail(bad or good) end
end

local function finish(status)
  io.stdout:flush()
  if status == 0 then vim.cmd('qall!') else vim.cmd('cquit ' .. status) end
end

-- Whatever happens, never outlive the hard limit (fires while vim.wait runs the loop).
vim.defer_fn(function()
  out('FAIL: the session took longer than ' .. HARD_LIMIT_MS .. ' ms')
  finish(1)
end, HARD_LIMIT_MS)

local bufnr, client_id, client
local publishes = 0   -- publishDiagnostics notifications for our file
local last_params     -- the last one, as the server sent it (LSP ranges, codes, ...)
local server_exit

local function lines() return vim.api.nvim_buf_get_lines(bufnr, 0, -1, false) end

-- 0-based index of the first code line (not a comment) containing `text` (plain), or fail.
local function find_line(text)
  for i, l in ipairs(lines()) do
    if not l:match('^%s*#') and l:find(text, 1, true) then return i - 1 end
  end
  fail('no line containing "' .. text .. '" in the buffer')
end

-- The diagnostics Neovim holds for the buffer (what the user sees), as "line:code" strings.
local function diags(code)
  local r = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    if code == nil or d.code == code then table.insert(r, d) end
  end
  return r
end
local function lines_with(code)
  local set = {}
  for _, d in ipairs(diags(code)) do set[d.lnum] = true end
  return set
end
local function describe()
  local r = {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    table.insert(r, string.format('%d:%d %s', d.lnum + 1, d.col + 1, tostring(d.code)))
  end
  table.sort(r)
  return '{' .. table.concat(r, ', ') .. '}'
end
local function same_lines(set, want)
  local n = 0
  for l in pairs(set) do
    n = n + 1
    if not vim.tbl_contains(want, l) then return false end
  end
  return n == #want
end

-- Waits until cond() holds (after at least one publish newer than `since`, when given).
local function wait_for(what, cond, since)
  local done = vim.wait(WAIT_MS, function()
    return server_exit ~= nil or ((since == nil or publishes > since) and cond())
  end, 10)
  if server_exit ~= nil then fail(what .. ' (the server exited: ' .. vim.inspect(server_exit, {newline = ' ', indent = ''}) .. ')') end
  if not done then
    fail(what .. ' (timed out after ' .. WAIT_MS .. ' ms; diagnostics now ' .. describe() .. ')')
  end
  ok(what)
end

local function request(method, params)
  local result, err = vim.lsp.buf_request_sync(bufnr, method, params, WAIT_MS)
  if not result then fail(method .. ': no answer (' .. tostring(err) .. ')') end
  local r = result[client_id]
  if not r then fail(method .. ': no answer from calm') end
  if r.err then fail(method .. ': error ' .. vim.inspect(r.err, {newline = ' ', indent = ''})) end
  return r.result
end

local function position(line, col)
  return {textDocument = {uri = vim.uri_from_bufnr(bufnr)},
          position = {line = line, character = col}}
end

-- Starts `calm lsp`, opens FILE, attaches, waits for the initialize response and checks
-- that the server asks for incremental changes. Sets bufnr, client_id, client.
local function start_and_open()
  if not (CALM and FILE and SCRATCH) then
    fail('set CALM, CALM_LSP_FILE and CALM_LSP_SCRATCH')
  end
  -- Only ever edit the scratch copy.
  if FILE:sub(1, #SCRATCH + 1) ~= SCRATCH .. '/' then
    fail('CALM_LSP_FILE ' .. FILE .. ' is not inside CALM_LSP_SCRATCH ' .. SCRATCH)
  end

  -- Record every publish for the file, then let Neovim's own handler show it.
  local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
  local handlers = {
    ['textDocument/publishDiagnostics'] = function(err, params, ctx, config)
      if params and vim.uri_to_fname(params.uri) == FILE then
        publishes = publishes + 1
        last_params = params
      end
      return default_publish(err, params, ctx, config)
    end,
  }

  client_id = vim.lsp.start_client({
    name = 'calm',
    cmd = {CALM, 'lsp'},
    root_dir = SCRATCH,
    handlers = handlers,
    on_exit = function(code, signal) server_exit = {code = code, signal = signal} end,
  })
  check(client_id ~= nil, 'started `' .. CALM .. ' lsp`', 'could not start `' .. tostring(CALM) .. ' lsp`')
  if vim.lsp.get_client_by_id(client_id) == nil then fail('`' .. CALM .. ' lsp` is not running') end

  vim.cmd('edit ' .. vim.fn.fnameescape(FILE))
  bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = 'ruby'
  vim.lsp.buf_attach_client(bufnr, client_id)

  local initialized = vim.wait(WAIT_MS, function()
    client = vim.lsp.get_client_by_id(client_id)
    return server_exit ~= nil or (client ~= nil and client.initialized == true)
  end, 10)
  if not initialized or server_exit ~= nil then
    fail('no initialize response (server exit: ' .. vim.inspect(server_exit, {newline = ' ', indent = ''}) .. ')')
  end
  local sync = client.server_capabilities.textDocumentSync
  local change = type(sync) == 'table' and sync.change or sync
  check(change == 2, 'initialized; the server asks for incremental didChange',
        'initialized, but textDocumentSync.change is ' .. vim.inspect(change) .. ', not 2 (incremental)')
end

-- Appends `insert` to the code on 0-based line `line` right after its first `anchor`
-- (an incremental change, like typing it), and checks the line now reads anchor..insert.
local function insert_after(line, anchor, insert)
  local stop = select(2, lines()[line + 1]:find(anchor, 1, true))
  if not stop then fail('line ' .. (line + 1) .. ' has no `' .. anchor .. '`') end
  vim.api.nvim_buf_set_text(bufnr, line, stop, line, stop, {insert})
  check(lines()[line + 1]:find(anchor .. insert, 1, true) ~= nil,
    'edited line ' .. (line + 1) .. ' to `' .. vim.trim(lines()[line + 1]) .. '`')
end

-- The calm-point-of-order on 0-based line `line` as the server last published it (LSP
-- range, code, message), or nil.
local function published_point_of_order(line)
  for _, d in ipairs(last_params.diagnostics) do
    if d.code == 'calm-point-of-order' and d.range.start.line == line then return d end
  end
end

-- Asks for the code actions at the server's diagnostic `po` on the rule `rule_text` and
-- applies "Allow calm-point-of-order here": checks the `# calm:allow` marker it inserts
-- above the rule. Returns the rule's new 0-based line and the publish count before the edit.
local function apply_allow(po, rule_text)
  local actions = request('textDocument/codeAction', {
    textDocument = {uri = vim.uri_from_bufnr(bufnr)},
    range = po.range,
    context = {diagnostics = {po}},
  })
  local titles, allow = {}, nil
  for _, a in ipairs(actions or {}) do
    table.insert(titles, a.title)
    if a.title:find('Allow calm-point-of-order', 1, true) then allow = a end
  end
  check(allow ~= nil and allow.edit ~= nil,
    'code actions: ' .. table.concat(titles, ' | '),
    'no "Allow calm-point-of-order" action with an edit among: ' .. vim.inspect(titles))
  check(allow.kind == 'quickfix', 'the allow action is a quickfix', 'allow action kind ' .. tostring(allow.kind))
  local before = publishes
  vim.lsp.util.apply_workspace_edit(allow.edit, client.offset_encoding or 'utf-16')
  local rule = find_line(rule_text)
  check(rule == po.range.start.line + 1, 'the edit inserted one line above the rule',
    'rule moved from line ' .. (po.range.start.line + 1) .. ' to line ' .. (rule + 1))
  local marker = lines()[rule]  -- the line above the rule (1-based index = 0-based rule)
  check(vim.trim(marker):find('# calm:allow calm-point-of-order -- ', 1, true) == 1,
    'line ' .. rule .. ' is now `' .. marker .. '`',
    'line above the rule is `' .. marker .. '`')
  local indent = lines()[rule + 1]:match('^%s*')
  check(marker:match('^%s*') == indent, 'the marker is indented like the rule',
    'the marker is not indented like the rule: `' .. marker .. '`')
  return rule, before
end

-- shutdown + exit: the server exits 0.
local function shutdown()
  client.stop()
  local exited = vim.wait(WAIT_MS, function() return server_exit ~= nil end, 10)
  check(exited and server_exit.code == 0 and server_exit.signal == 0,
    'shutdown/exit: the server exited with status 0',
    'after shutdown/exit the server ' .. (exited and ('exited with ' .. vim.inspect(server_exit, {newline = ' ', indent = ''})) or 'did not exit'))
end

-- The session on tests/lsp/editing_sample.rb.
local function sample_session()
  start_and_open()

  -- 1. didOpen -> the findings of `calm check`.
  local alive = find_line('alive <= peers')
  local count = find_line('peer_count <= peers.group')
  wait_for('didOpen: calm-point-of-order on peer_count (line ' .. (count + 1) .. ') and calm-underspecified on leave',
    function()
      return same_lines(lines_with('calm-point-of-order'), {count})
        and same_lines(lines_with('calm-underspecified'), {find_line(':leave')})
    end)
  for _, d in ipairs(diags('calm-point-of-order')) do
    check(d.source == 'calm' and d.severity == vim.diagnostic.severity.WARN,
      'the point of order is a warning from source "calm"',
      'point of order: source ' .. tostring(d.source) .. ', severity ' .. tostring(d.severity))
  end

  -- 2. Make the monotone rule `alive <= peers` non-monotonic: insert `.notin(gone)`.
  local before = publishes
  insert_after(alive, 'alive <= peers', '.notin(gone)')
  wait_for('didChange: new calm-point-of-order on the edited rule (line ' .. (alive + 1) .. ')',
    function() return same_lines(lines_with('calm-point-of-order'), {alive, count}) end, before)
  local po = published_point_of_order(alive) -- the new diagnostic, as the server sent it
  check(po ~= nil and po.message:find('notin', 1, true) ~= nil,
    'its message names the negation: ' .. (po and po.message:sub(1, 60) or '?') .. '...',
    'the new point of order does not mention notin: ' .. vim.inspect(po))
  check(next(lines_with('calm-underspecified')) == nil,
    'calm-underspecified on leave is gone (leave now reaches live_peers)')

  -- 3. Hover on the rule's `<=`.
  local op = lines()[alive + 1]:find('<=', 1, true) - 1
  local hover = request('textDocument/hover', position(alive, op))
  check(hover and hover.contents, 'hover on `<=` answers', 'hover on `<=` returned nothing')
  local md = type(hover.contents) == 'table' and (hover.contents.value or hover.contents[1]) or hover.contents
  if type(md) == 'table' then md = md.value end
  md = tostring(md)
  local lower = md:lower()
  check(type(hover.contents) == 'table' and hover.contents.kind == 'markdown',
    'hover is markdown', 'hover is not MarkupContent markdown: ' .. vim.inspect(hover.contents))
  check(lower:find('point of order', 1, true) ~= nil
        and (lower:find('notin', 1, true) ~= nil or lower:find('negation', 1, true) ~= nil),
    'hover says the rule is a point of order through notin/negation',
    'hover does not say point of order + notin/negation:\n' .. md)

  -- 4. Definition of `gone` (in `.notin(gone)`) -> `table :gone, [:peer]`.
  local gone_col = lines()[alive + 1]:find('(gone)', 1, true) -- 1-based `(`, so 0-based `g`
  local decl = find_line('table :gone')
  local def = request('textDocument/definition', position(alive, gone_col + 1))
  if def and def.uri == nil and def.targetUri == nil then def = def[1] end -- Location[] / LocationLink[]
  check(def ~= nil, 'definition of gone answers', 'definition of gone returned nothing')
  local def_uri = def.uri or def.targetUri
  local def_range = def.range or def.targetSelectionRange or def.targetRange
  check(vim.uri_to_fname(def_uri) == FILE and def_range.start.line == decl,
    'definition of gone -> line ' .. (decl + 1) .. ' (`table :gone`)',
    'definition of gone -> ' .. vim.inspect(def) .. ', expected line ' .. decl .. ' (0-based)')

  -- 5. Document symbols: module Membership > ... and at least one rule.
  local symbols = request('textDocument/documentSymbol', {textDocument = {uri = vim.uri_from_bufnr(bufnr)}})
  local names, module_found, rule_found = {}, false, false
  local function walk(list, depth)
    for _, s in ipairs(list or {}) do
      table.insert(names, string.rep('  ', depth) .. s.name .. ' (' .. tostring(s.kind) .. ')')
      if s.name:find('Membership', 1, true) then module_found = true end
      if s.name:find('alive <=', 1, true) or s.name:find('peer_count <=', 1, true) then rule_found = true end
      walk(s.children, depth + 1)
    end
  end
  walk(symbols, 0)
  check(module_found and rule_found,
    'documentSymbol lists module Membership and its rules (' .. #names .. ' symbols)',
    'documentSymbol lacks module Membership or a rule:\n' .. table.concat(names, '\n'))

  -- 6. Code action at the new diagnostic: "Allow calm-point-of-order here", applied.
  local _
  _, before = apply_allow(po, 'alive <= peers.notin(gone)')
  count = find_line('peer_count <= peers.group')
  wait_for('the allowed point of order is suppressed (only peer_count, line ' .. (count + 1) .. ', is left)',
    function() return same_lines(lines_with('calm-point-of-order'), {count}) end, before)
  check(next(lines_with('calm-unused-suppression')) == nil, 'no calm-unused-suppression for the marker')

  -- 7. A syntax error: an unmatched `(`; the last good findings stay.
  local live = find_line('live_peers <= alive')
  local col = select(1, lines()[live + 1]:find('alive', 1, true)) - 1
  before = publishes
  vim.api.nvim_buf_set_text(bufnr, live, col, live, col, {'('})
  wait_for('unmatched `(` on line ' .. (live + 1) .. ': calm-parse-error reported',
    function() return next(lines_with('calm-parse-error')) ~= nil end, before)
  check(same_lines(lines_with('calm-point-of-order'), {count}),
    'the last good findings are still shown (calm-point-of-order on line ' .. (count + 1) .. ')',
    'the last good findings are gone during the parse error: ' .. describe())

  -- 8. Fix it: the parse error goes, the findings stay.
  before = publishes
  vim.api.nvim_buf_set_text(bufnr, live, col, live, col + 1, {})
  wait_for('fixed: calm-parse-error gone, calm-point-of-order on line ' .. (count + 1) .. ' kept',
    function()
      return next(lines_with('calm-parse-error')) == nil
        and same_lines(lines_with('calm-point-of-order'), {count})
    end, before)

  -- 9. An edit saved at once (:write): line numbers shift, the findings follow.
  before = publishes
  vim.api.nvim_buf_set_lines(bufnr, 0, 0, true, {'# saved by the Neovim session'})
  vim.cmd('silent write')
  wait_for('edit + :write (didChange, didSave): calm-point-of-order moved to line ' .. (count + 2),
    function()
      return same_lines(lines_with('calm-point-of-order'), {count + 1})
        and next(lines_with('calm-parse-error')) == nil
    end, before)

  -- 10. shutdown + exit.
  shutdown()
end

-- What `calm check --format json PATH` reports in PATH and does not suppress, as a sorted
-- list of "line:check" strings (1-based lines, as the CLI prints them). Run from the
-- directory of PATH, so that the reported (relative) file names are its basename.
local function by_line(a, b)
  local la, lb = tonumber(a:match('^%d+')), tonumber(b:match('^%d+'))
  if la ~= lb then return la < lb end
  return a < b
end
local function cli_findings(path)
  local dir, base = vim.fn.fnamemodify(path, ':h'), vim.fn.fnamemodify(path, ':t')
  local cmd = 'cd ' .. vim.fn.shellescape(dir) .. ' && ' .. vim.fn.shellescape(CALM)
    .. ' check --format json --fail-on error ' .. vim.fn.shellescape(base) .. ' 2>/dev/null'
  local text = vim.fn.system(cmd)
  local good, report = pcall(vim.fn.json_decode, text)
  if not good or type(report) ~= 'table' or type(report.findings) ~= 'table' then
    fail('`calm check --format json ' .. path .. '` (status ' .. vim.v.shell_error .. ') gave no report: '
      .. text:sub(1, 300))
  end
  local r, seen = {}, {}
  for _, f in ipairs(report.findings) do
    local key = f.location and f.location.line and (f.location.line .. ':' .. f.check)
    if key and f.location.file == base and f.suppression == nil and not seen[key] then
      seen[key] = true
      table.insert(r, key)
    end
  end
  table.sort(r, by_line)
  return r
end

-- The diagnostics Neovim shows for the buffer, in the form of cli_findings.
local function shown_findings()
  local r, seen = {}, {}
  for _, d in ipairs(vim.diagnostic.get(bufnr)) do
    local key = (d.lnum + 1) .. ':' .. tostring(d.code)
    if not seen[key] then seen[key] = true; table.insert(r, key) end
  end
  table.sort(r, by_line)
  return r
end

-- What `calm check` reports for the buffer as it is now: its lines written to a file of
-- the same name in a directory of its own (the program must not require files next to it).
local function cli_findings_of_buffer()
  local dir = SCRATCH .. '/cli-' .. publishes
  vim.fn.mkdir(dir, 'p')
  local path = dir .. '/' .. vim.fn.fnamemodify(FILE, ':t')
  vim.fn.writefile(lines(), path)
  return cli_findings(path)
end

local function same_findings(what, want, since)
  local text = '{' .. table.concat(want, ', ') .. '}'
  wait_for(what .. ': ' .. text,
    function() return table.concat(shown_findings(), ', ') == table.concat(want, ', ') end, since)
end

-- The session on a real program of the corpus (copied into the scratch directory).
local function corpus_session()
  local RULE, INSERT = os.getenv('CALM_LSP_RULE'), os.getenv('CALM_LSP_INSERT')
  if not (RULE and INSERT) then fail('corpus mode: set CALM_LSP_RULE and CALM_LSP_INSERT') end
  local name = vim.fn.fnamemodify(FILE, ':t')
  start_and_open()

  -- 1. didOpen -> exactly what `calm check --format json` reports for the file.
  local expected = cli_findings(FILE)
  check(#expected > 0, '`calm check` reports ' .. #expected .. ' findings in ' .. name,
    '`calm check` reports nothing in ' .. name .. ': a weak test, pick another file')
  same_findings('didOpen: the diagnostics of ' .. name .. ' are those of `calm check`', expected)

  -- 2. Append INSERT to the monotone rule RULE: a new point of order on that line.
  local rule = find_line(RULE)
  check(published_point_of_order(rule) == nil,
    'line ' .. (rule + 1) .. ' (`' .. RULE .. '`) has no calm-point-of-order yet',
    'line ' .. (rule + 1) .. ' (`' .. RULE .. '`) already has a calm-point-of-order')
  local before = publishes
  insert_after(rule, RULE, INSERT)
  wait_for('didChange: a calm-point-of-order on the edited rule (line ' .. (rule + 1) .. ')',
    function() return lines_with('calm-point-of-order')[rule] ~= nil end, before)
  local po = published_point_of_order(rule)
  check(po ~= nil and po.message:find('notin', 1, true) ~= nil,
    'its message names the negation: ' .. (po and po.message:sub(1, 60) or '?') .. '...',
    'the new point of order does not mention notin: ' .. vim.inspect(po))
  same_findings('the diagnostics after the edit are those of `calm check` on the buffer',
    cli_findings_of_buffer())

  -- 3. The quick fix "Allow calm-point-of-order here", applied: the diagnostic goes.
  rule, before = apply_allow(po, RULE .. INSERT)
  wait_for('the allowed point of order on line ' .. (rule + 1) .. ' is gone',
    function() return lines_with('calm-point-of-order')[rule] == nil end, before)
  check(next(lines_with('calm-unused-suppression')) == nil, 'no calm-unused-suppression for the marker')
  same_findings('the diagnostics after the quick fix are those of `calm check` on the buffer',
    cli_findings_of_buffer())

  -- 4. shutdown + exit.
  shutdown()
end

local sessions = {sample = sample_session, corpus = corpus_session}
local good, err = pcall(function()
  if not sessions[MODE] then fail('CALM_LSP_MODE ' .. MODE .. ' is neither sample nor corpus') end
  sessions[MODE]()
end)
if good then
  out('PASS: calm lsp (' .. MODE .. ' session) with Neovim ' .. tostring(vim.version().major) .. '.'
      .. tostring(vim.version().minor) .. '.' .. tostring(vim.version().patch))
  finish(0)
else
  if err ~= Failure then out('FAIL: error in the session script: ' .. tostring(err)) end
  finish(1)
end
