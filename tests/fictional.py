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

# French, written for the language tests: people, dates in French and quotes with French marks and cues.
FRENCH = """Grève à la SNCF : le gouvernement promet une réponse avant l'été

PARIS, le 14 mars 2024 — La ministre des Transports, Claire Fontanel, a reçu jeudi les syndicats de la SNCF au ministère.

« Nous ne céderons pas au chantage, mais nous écouterons tout le monde », a déclaré Claire Fontanel à l'issue de la réunion.

Le secrétaire général de la CGT-Cheminots, Julien Marchetti, a affirmé que la grève continuerait « aussi longtemps qu'il le faudra ». « Les cheminots ont été trahis l'an dernier, a-t-il affirmé. Nous ne l'oublierons pas. »

Selon Sophie Laurent, économiste à l'université de Lyon, le conflit coûte 20 millions d'euros par jour à l'entreprise.

Le Premier ministre, Antoine Ferrand, a indiqué qu'il recevrait les syndicats le 2 avril.
"""

SPANISH = """El ayuntamiento de Valmora aprobó el jueves un nuevo plan de vivienda para los jóvenes.
Según el concejal Tomás Ibarra, la medida costará dos millones de euros y entrará en vigor el próximo año.
"""

GERMAN = """Der Stadtrat von Kestrel Bay hat am Donnerstag einen neuen Hafenplan beschlossen.
Die Bürgermeisterin sagte, die Arbeiten würden im Mai beginnen und zwei Jahre dauern.
"""
