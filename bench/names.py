"""Word lists for the benchmark data: Flemish-ish names, streets, municipalities, subjects.

Nothing here contains a tab, newline or backslash, so the lists can be written to COPY text
format without escaping.
"""


def _bar_list(text: str) -> list[str]:
    """Items separated by ``|`` or line ends, without empty ones."""
    return [item.strip() for item in text.replace("\n", "|").split("|") if item.strip()]


def _words(text: str) -> list[str]:
    return text.split()


MALE_GIVEN_NAMES = _words("""
Jan Luc Marc Peter Patrick Dirk Bart Koen Tom Wim Geert Johan Filip Kris Stefan Erik Frank Paul Guido Rudi
Jozef Frans Willy Eddy Danny Jean Pierre André René Roger Gilbert Marcel Albert Georges Raymond Lucien Noël
Hugo Herman Jef Mathieu Pieter Jonas Lucas Louis Arthur Noah Liam Jules Mats Lars Vic Finn Victor Warre Seppe
Wout Thomas Tibo Robbe Milan Daan Lowie Senne Jasper Niels Stijn Ruben Arne Jens Sander Joris Bram Glenn Kevin
Steven Sven Nick Kenny Jurgen Ronny Gert Hans Ivo Karel Lieven Maarten Michiel Olivier Pascal Philippe Rik
Sam Simon Thijs Toon Vincent Wannes Xander Yannick Ziggy Emiel Cas Staf Nand Rune Mauro Ferre Lander Bavo
Jérôme Frédéric Björn Gaëtan Raphaël Mohamed Ahmed Youssef Yusuf Mehmet Mustafa Ibrahim Hamza Adam Ayoub
Bilal Omar Piotr Tomasz Krzysztof Andrei Ionut Dimitri Luca Marco Giovanni Carlos Miguel João Emre Burak
""")

FEMALE_GIVEN_NAMES = _words("""
Maria Anna Els Ann Kathleen Sofie Katrien Veerle Nathalie Sarah Lien Eva Hilde Inge Greet Linda Rita Martine
Christine Monique Jeanne Paula Simone Godelieve Agnes Maria-José Josée Marleen Mieke Nele Leen Lies Griet Tine
Emma Olivia Louise Mila Elena Julia Marie Noor Lotte Lore Fien Nina Hanne Charlotte Laura Elise Jana Femke
Lisa Amber Lena Ella Hannah Anouk Febe Kato Margot Ines Roos Silke Yana Jolien Eline Britt Shana Kim Joke
Wendy Sandra Petra Karin Ilse Ingrid Annemie Tinne Evi Sien Axelle Amira Zoë Chloé Hélène Amélie Anaïs Léa
Éloïse Céline Inès Noémie Renée Thérèse Fatima Khadija Aicha Salma Meryem Zeynep Elif Aylin Ayşe Anna-Lena
Agnieszka Katarzyna Magdalena Ioana Elena-Maria Sofia Giulia Chiara Ana Beatriz Yasmina Nora Liv Mona Ruth
""")

# Common family names with a roughly Zipfian frequency (first is most common).
FAMILY_NAMES = _bar_list("""
Peeters|Janssens|Maes|Jacobs|Mertens|Willems|Claes|Goossens|Wouters|De Smet|Dubois|Lambert|Dupont|Martens
Hermans|Vermeulen|Van den Broeck|Pauwels|Michiels|Aerts|Smets|Claeys|Desmet|Lemmens|De Clercq|Coppens|Segers
Verstraete|Peters|Cools|Van Damme|Van de Velde|Stevens|Declercq|Vandenberghe|Bogaerts|Verhoeven|Hendrickx
Van Dyck|De Backer|Geerts|Thys|Verbeke|Van Acker|Mahieu|De Vos|Bosmans|Dewilde|De Meyer|Lenaerts|Vermeersch
Wuyts|Timmermans|Vandamme|Van Hoof|Laurent|Verschueren|Moens|Baert|Sterckx|Dierckx|Hendrix|Gielen|Van Hecke
Verlinden|Huybrechts|Vervoort|Simons|Bauwens|De Wilde|Van Laere|De Cock|Devos|Vercammen|Leroy|Dumont|Wijns
Renders|Van Gestel|Cuypers|Buelens|Van Camp|Heylen|Luyten|Verbruggen|Janssen|Van Loon|Vanhove|Vandevelde
Raes|Verheyen|Vanderstraeten|Govaerts|Van Hove|Nijs|Beckers|Van Rompaey|De Bruyne|Van Aken|Colpaert|Dhondt
D'Hondt|Verhaegen|Van Gucht|Daems|Meeus|Lauwers|Van Mol|Van Impe|Van Wesemael|Vanhoutte|Vandeputte|Deprez
Roels|Tack|Bracke|Goethals|Cornelis|Van Houtte|Vanneste|Vereecke|Decock|Maertens|De Paepe|Van Hulle|Bruneel
Callens|Deschacht|Van Eeckhout|Verhelst|Seynaeve|Dewulf|Vandewalle|Lefebvre|Lefèvre|Gérard|Mélard|Hélin
Noël|Dehaené|Van den Bossche|Van der Linden|Vanderlinden|Van de Walle|Van den Eynde|Vanden Eynde|Op de Beeck
Opdebeeck|Van Overstraeten|Swinnen|Jansen|Schepers|Coenen|Vanhees|Vandebroek|Ceulemans|Meulemans|Celis
Lemaire|Gillis|Michielsen|Matthys|Van Nuffel|Geens|Stas|Kenis|Bex|Reynders|Van Herck|Hoste|Vos|Smeets|Leys
El Amrani|El Idrissi|Benali|Bouzid|El Khattabi|Ait Ali|Ouali|Yilmaz|Kaya|Demir|Şahin|Çelik|Öztürk|Nowak
Kowalski|Wiśniewski|Popescu|Ionescu|Rossi|Esposito|Garcia|Fernandes|Da Silva|Nguyen|Diallo|Mbala|Kabongo
""")


# Building blocks of a long tail of rarer names (Van der Straeten, Verkerckhove, ...).
NAME_PREFIXES = ["Van ", "Van de ", "Van der ", "Van den ", "Vande", "Vander", "De ", "Ver", "D'", "Op de "]
NAME_ROOTS = _words("""
Velde Acker Bossche Straete Meulen Hoeve Linden Poel Kerckhove Steen Walle Putte Broeke Berghe Driessche Eecke
Haute Kerke Moere Neste Plancke Riet Schoote Vijver Weghe Zande Beke Bulcke Cauter Daele Elst Gheluwe Hulle
Lede Maele Opstal Peene Rysselberghe Sype Tichelt Vloet Wynsberghe Assche Brempt Coillie Dorpe Goote Heede
Kelen Loocke Mote Oost Pitte Rode Slycke Torre Voorde Wiele Brugge Damme Hende Kampe Leije Mosselle Nieuwe
Rijse Speybroeck Vreckem Ackere Boom Cruys Dael Gaver Haver Kasteele Lombaerde Mortel Nest Ooteghem Praet
Schelde Tilt Veken Werf Zwalm Heuvel Kappel Laer Meer Nuffel Pelt Ruysen Sint Tervuren Vaart Weyer
""")
NAME_SUFFIXES = ["", "s", "n", "e"]
# Syllables for very rare names (a handful of people each).
RARE_HEADS = _words("""
Kwan Blom Draey Fris Gheer Hamm Jaek Kluy Leem Mabb Noet Pruy Quaeg Rymp Snoe Tuyt Uyt Vlae Waey Zwyn
Bruy Cnop Daem Eyck Flor Gys Hoor Ickx Joos Kool Lauw Moor Neel Ooms Puyp Roet Spie Thie Umb Vroe
""")
RARE_TAILS = ["aert", "ens", "ckx", "ghe", "ley", "mans", "eels", "ynck", "oot", "ers", "inck", "aey", "uyt", "ijn"]

ORGANISATION_PATTERNS = [
    "Bakkerij {f}",
    "Beenhouwerij {f}",
    "Garage {f}",
    "Immo {f}",
    "Apotheek {f}",
    "Bouwbedrijf {f}",
    "Schrijnwerkerij {f}",
    "Dakwerken {f}",
    "Advocatenkantoor {f}",
    "Boekhoudkantoor {f}",
    "{f} & Zonen",
    "Transport {f}",
    "Café {c}",
    "Brasserie {c}",
    "Frituur {c}",
    "Kapsalon {g}",
    "Tuinaanleg {f}",
    "Elektro {f}",
    "Loodgieterij {f}",
    "Dierenartsenpraktijk {f}",
    "Huisartsenpraktijk {c}",
    "Kinderdagverblijf {g}",
    "Schoonmaakbedrijf {f}",
    "Taxi {c}",
    "Drukkerij {f}",
]
LEGAL_FORMS = ["BV", "NV", "CommV", "CV", "VOF", "", "", ""]

ASSOCIATION_PATTERNS = [
    "Voetbalclub {c}",
    "Toneelkring {c}",
    "Harmonie {c}",
    "Jeugdhuis {c}",
    "Buurtcomité {s}",
    "Oudercomité Basisschool {c}",
    "Wielerclub {c}",
    "Schaakclub {c}",
    "Koor {c}",
    "Scouts {c}",
    "Chiro {c}",
    "KWB {c}",
    "Femma {c}",
    "Davidsfonds {c}",
    "Okra {c}",
    "Tennisclub {c}",
    "Volleybalclub {c}",
    "Turnkring {c}",
    "Feestcomité {s}",
    "Vzw Vrienden van {c}",
    "Imkersbond {c}",
    "Hondenclub {c}",
    "Zwemclub {c}",
    "Volkstuinen {c}",
]

# (postal code, municipality) in Flanders and Brussels.
MUNICIPALITIES = [
    ("9000", "Gent"),
    ("9030", "Mariakerke"),
    ("9040", "Sint-Amandsberg"),
    ("9050", "Gentbrugge"),
    ("9051", "Sint-Denijs-Westrem"),
    ("9052", "Zwijnaarde"),
    ("9100", "Sint-Niklaas"),
    ("9200", "Dendermonde"),
    ("9300", "Aalst"),
    ("9400", "Ninove"),
    ("9500", "Geraardsbergen"),
    ("9600", "Ronse"),
    ("9700", "Oudenaarde"),
    ("9800", "Deinze"),
    ("9900", "Eeklo"),
    ("2000", "Antwerpen"),
    ("2018", "Antwerpen"),
    ("2060", "Antwerpen"),
    ("2100", "Deurne"),
    ("2140", "Borgerhout"),
    ("2170", "Merksem"),
    ("2180", "Ekeren"),
    ("2600", "Berchem"),
    ("2610", "Wilrijk"),
    ("2660", "Hoboken"),
    ("2800", "Mechelen"),
    ("2300", "Turnhout"),
    ("2400", "Mol"),
    ("2440", "Geel"),
    ("2500", "Lier"),
    ("2900", "Schoten"),
    ("3000", "Leuven"),
    ("3010", "Kessel-Lo"),
    ("3001", "Heverlee"),
    ("3300", "Tienen"),
    ("3500", "Hasselt"),
    ("3600", "Genk"),
    ("3700", "Tongeren"),
    ("3800", "Sint-Truiden"),
    ("3900", "Pelt"),
    ("8000", "Brugge"),
    ("8200", "Sint-Andries"),
    ("8300", "Knokke-Heist"),
    ("8400", "Oostende"),
    ("8500", "Kortrijk"),
    ("8800", "Roeselare"),
    ("8900", "Ieper"),
    ("1000", "Brussel"),
    ("1030", "Schaarbeek"),
    ("1080", "Sint-Jans-Molenbeek"),
    ("1500", "Halle"),
    ("1700", "Dilbeek"),
    ("1800", "Vilvoorde"),
    ("1930", "Zaventem"),
]

STREETS = _bar_list("""
Kerkstraat|Stationsstraat|Dorpsstraat|Molenstraat|Nieuwstraat|Schoolstraat|Kapelstraat|Veldstraat|Beekstraat
Kouter|Markt|Grote Markt|Korenmarkt|Vrijdagmarkt|Sint-Pietersnieuwstraat|Overpoortstraat|Brugsesteenweg
Antwerpsesteenweg|Kortrijksesteenweg|Gentsesteenweg|Leuvensesteenweg|Mechelsesteenweg|Tiensestraat
Naamsestraat|Bondgenotenlaan|Meir|Lange Nieuwstraat|Frankrijklei|Italiëlei|Ledeganckkaai|Coupure Links
Coupure Rechts|Visserij|Nederkouter|Sint-Jacobsnieuwstraat|Dampoortstraat|Wondelgemstraat|Rooigemlaan
Sint-Denijslaan|Hundelgemsesteenweg|Dendermondsesteenweg|Oudenaardsesteenweg|Voskenslaan|Kortrijkse Poortstraat
Lindenlaan|Eikenlaan|Beukenlaan|Berkenlaan|Populierenlaan|Kastanjelaan|Wilgenstraat|Rozenstraat|Tulpenstraat
Sportstraat|Industrieweg|Ambachtenstraat|Hoogstraat|Lange Zoutstraat|Zonnestraat|Meersstraat|Kasteeldreef
Hof ter Walle|Ter Platen|Ter Linden|Rijsenbergstraat|Koningin Astridlaan|Koning Albertlaan|Leopoldlaan
Boudewijnlaan|Prins Boudewijnlaan|Jozef Plateaustraat|Émile Braunplein|Stropstraat|Bellevue|Heirweg
""")


STREET_LABELS = ["", "", "", "home", "work"]

EMAIL_DOMAINS = [
    ("gmail.com", 35),
    ("hotmail.com", 14),
    ("telenet.be", 15),
    ("outlook.com", 9),
    ("skynet.be", 6),
    ("proximus.be", 4),
    ("yahoo.com", 3),
    ("outlook.be", 3),
    ("hotmail.be", 3),
    ("icloud.com", 4),
    ("live.be", 2),
    ("scarlet.be", 2),
]

SUBJECTS = _bar_list("""
Aanvraag identiteitskaart|Afspraak identiteitskaart kind (Kids-ID)|Paspoort aanvragen|Rijbewijs omwisselen
Adreswijziging doorgeven|Attest van woonst|Uittreksel strafregister|Geboorteakte opvragen|Huwelijk plannen
Wettelijke samenwoning|Overlijden aangeven|Naamswijziging|Nationaliteitsverklaring|Verblijfsvergunning
Afvalophaling niet gebeurd|Grofvuil ophalen|Recyclagepark openingsuren|Containerpark toegangskaart
Zwerfvuil melden|Sluikstort melden|Straatverlichting defect|Put in de weg|Voetpad beschadigd|Boom valt om
Wateroverlast|Rioolverstopping|Wegenwerken hinder|Omleiding bus|Parkeerkaart bewoners|Parkeerboete betwisten
Zone 30 vraag|Fietsenstalling|Deelfietsen|Bouwvergunning info|Omgevingsvergunning aanvraag|Stedenbouwkundig attest
Bezwaar openbaar onderzoek|Premie dakisolatie|Premie zonnepanelen|Renovatiepremie|Energielening
Huurpremie|Sociale woning inschrijving|Leegstand melden|Verwaarloosd pand|Geluidsoverlast|Burenruzie
Hondenpoep|Loslopende honden|Duivenoverlast|Ratten melden|Evenement aanvragen|Terras vergunning|Markt standplaats
Kinderopvang plaats|Inschrijving basisschool|Speelpleinwerking|Sportkampen|Zwembad abonnement|Bibliotheek lidkaart
Cultuurcentrum tickets|Vrijetijdspas|Verenigingssubsidie|Zaalverhuur|Uitleendienst materiaal|Vrijwilligerswerk
Leefloon info|OCMW afspraak|Budgetbegeleiding|Mantelzorgpremie|Thuiszorg|Woonzorgcentrum wachtlijst
Vervoer minder mobielen|Parkeerkaart personen met beperking|Belastingaanslag vraag|Bezwaar belasting
Tweede verblijf belasting|Factuur stad betwisten|Domiciliëring|Klacht dienstverlening|Compliment personeel
Openingsuren stadhuis|Afspraak maken|Wachttijd loket|Mijn Burgerprofiel hulp|Itsme hulp|Digitaal loket hulp
Eloket aanvraag opvolgen|Dossier opvolging|Ondernemersloket|Horeca vergunning|Handelspand premie
Starterssubsidie|Kermis standplaats|Begraafplaats concessie|Asverstrooiing|Trouwzaal reserveren
Verkiezingen volmacht|Kiezerslijst|Hondenbelasting|Adoptie huisdier|Bomen kappen vergunning
""")


SUMMARIES = [
    "Burger geholpen aan het loket, documenten meegegeven.",
    "Info gegeven over de nodige documenten en de kostprijs.",
    "Doorverwezen naar de bevoegde dienst, die neemt contact op.",
    "Afspraak ingepland voor volgende week.",
    "Melding doorgegeven aan de technische dienst.",
    "Burger vraagt terugbelverzoek na 16 uur.",
    "Formulier samen met de burger ingevuld via het e-loket.",
    "Klacht genoteerd, dossier aangemaakt voor opvolging.",
    "Vraag beantwoord via telefoon, geen verdere actie nodig.",
    "Geen antwoord na drie pogingen, e-mail gestuurd.",
    "Burger was ontevreden over de wachttijd aan het loket.",
    "Attest onmiddellijk afgeleverd.",
    "Aanvraag onvolledig, ontbrekende stukken opgevraagd.",
    "Via chatbot gestart, overgenomen door medewerker.",
    "Automatisch aangemaakt vanuit het webformulier.",
    "Bericht ontvangen via WhatsApp, foto van de situatie bijgevoegd.",
    "Burger verwijst naar eerder contact over hetzelfde onderwerp.",
    "Dossier doorgestuurd naar het OCMW.",
    "Terugbetaling gevraagd, doorgegeven aan financiën.",
    "Vraag over de status van de aanvraag, nog in behandeling.",
    "Onderneming vraagt info over de vergunningsprocedure.",
    "Vereniging vraagt materiaal voor een buurtfeest.",
    "Melding van de burger is terecht, herstelling ingepland.",
    "Burger geholpen met itsme en Mijn Burgerprofiel.",
    "Tolk aangevraagd voor het volgende gesprek.",
    "Brief ontvangen en ingescand, origineel gearchiveerd.",
    "Meer info op de website van de stad doorgestuurd.",
    "Burger heeft zelf het probleem opgelost, dossier afgesloten.",
    "Dringend: veiligheidsrisico, onmiddellijk doorgegeven.",
    "Afspraak geannuleerd op vraag van de burger.",
]
