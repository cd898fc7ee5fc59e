#pragma once

// A chat client whose rule reads instance variables that its initialize would set in Bud
// (@server, @nick): the tests give them per scenario node or with --ivar.

namespace calm::eval::testing {

/// `mcast <~ say { |s| [@server, @nick, s.text] }` is line 9; `@nick` is at column 34.
inline constexpr const char* kChatProgram = R"(class ChatClient
  include Bud
  state do
    interface input, :say, [:text]
    channel :mcast, [:@addr, :from, :text]
    table :heard, [:from, :text]
  end
  bloom do
    mcast <~ say { |s| [@server, @nick, s.text] }
    heard <= mcast { |m| [m.from, m.text] }
  end
  def initialize(server, nick, opts = {})
    @server = server
    @nick = nick
    super(opts)
  end
end
)";

}  // namespace calm::eval::testing
