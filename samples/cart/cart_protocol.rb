# Lesson: the shopping-cart protocols and client (CIDR 2011, Figures 11-12)
# in the current Bud dialect.
#
# CartProtocol has only channels. Channels are not interfaces, so analyzed
# alone it has neither sources nor sinks and nothing to report.
# CartClientProtocol is the client-facing interface with no rules: all three
# interfaces are underspecified.
# CartClient forwards client actions and checkouts to a server over channels
# and passes responses back. Everything is monotone. Analyzed without a
# server, the two inputs only reach channels and never an output interface,
# so they are underspecified. The response path is complete.
require 'rubygems'
require 'bud'

module CartProtocol
  state do
    channel :action_msg, [:@server, :client, :session, :reqid] => [:item, :action]
    channel :checkout_msg, [:@server, :client, :session, :reqid]
    channel :response_msg, [:@client, :server, :session] => [:contents]
  end
end

module CartClientProtocol
  state do
    interface input, :client_action, [:server, :session, :reqid] => [:item, :action]  # expect: underspecified client_action input
    interface input, :client_checkout, [:server, :session, :reqid]                    # expect: underspecified client_checkout input
    interface output, :client_response, [:client, :server, :session] => [:contents]   # expect: underspecified client_response output
  end
end

module CartClient
  include CartProtocol
  include CartClientProtocol # expect: underspecified client_action input; underspecified client_checkout input

  bloom :client do
    action_msg <~ client_action do |a|
      [a.server, ip_port, a.session, a.reqid, a.item, a.action]
    end
    checkout_msg <~ client_checkout do |c|
      [c.server, ip_port, c.session, c.reqid]
    end
    client_response <= response_msg
  end
end
