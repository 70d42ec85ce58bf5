"""Short fictional news texts written for the tests (no real article is copied here)."""

HARBOUR = """Port authority approves Kestrel Bay expansion

KESTREL BAY, March 3, 2024 - The Kestrel Bay Port Authority approved a $40 million expansion on Tuesday.
"This is the biggest investment in the harbour since 1998," said Mayor Dana Whitfield.
Whitfield told reporters that the work would start in May. Councillor Omar Haddad warned that traffic would double, according to the Kestrel Herald.
"""

MINING = """Miners strike at Ostrava Copper

OSTRAVA, June 12, 2023 - Workers at Ostrava Copper walked out on Monday over pay.
Union leader Petra Novakova said the company had ignored them for two years.
"We will stay out until the board listens," Novakova said. Ostrava Copper denied that wages had fallen.
"""

ELECTION = """Valmora votes in tight race

VALMORA, November 5, 2022 - Voters in Valmora chose between Governor Ana Reyes and Senator Tomas Berg.
Reyes said on Saturday that she expected to win. "The people of Valmora want stability," Berg said.
"""

ALL = {"harbour.txt": HARBOUR, "mining.txt": MINING, "election.txt": ELECTION}
