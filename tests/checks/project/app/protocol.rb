# The project's own protocol: clients send votes to the poll server over a channel.
module PollProtocol
  state do
    channel :vote, [:@server, :client, :poll, :choice]
    channel :close, [:@server, :poll]
    channel :result, [:@client, :poll, :choice, :n]
  end
end
