# Lesson: the shopping-cart protocols and client of the CIDR paper
# (Figures 11-12), in the 2011 dialect.
#
# CartProtocol declares only channels: nothing to report on its own.
# CartClientProtocol has no rules: its three interfaces are underspecified.
# CartClient is monotone. Without a server its inputs only reach channels,
# never an output interface, so they are underspecified.
require 'rubygems'
require 'bud'

module CartProtocol
  def state
    channel :action_msg, ['@server', 'client', 'session', 'reqid'], ['item', 'action']
    channel :checkout_msg, ['@server', 'client', 'session', 'reqid']
    channel :response_msg, ['@client', 'server', 'session'], ['contents']
  end
end

module CartClientProtocol
  def state
    interface input, :client_action, ['server', 'session', 'reqid'], ['item', 'action']  # expect: underspecified client_action input
    interface input, :client_checkout, ['server', 'session', 'reqid']                    # expect: underspecified client_checkout input
    interface output, :client_response, ['client', 'server', 'session'], ['contents']   # expect: underspecified client_response output
  end
end

module CartClient
  include CartProtocol
  include CartClientProtocol # expect: underspecified client_action input; underspecified client_checkout input

  declare
  def client
    action_msg <~ client_action.map do |a|
      [a.server, @local_addr, a.session, a.reqid, a.item, a.action]
    end
    checkout_msg <~ client_checkout.map do |a|
      [a.server, @local_addr, a.session, a.reqid]
    end
    client_response <= response_msg
  end
end
