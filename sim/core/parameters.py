"""Every behavioural parameter in one place: unit, default, bounds and where the value comes from.

Scenario files override parameters by name (``parameters:`` block) and the calibration spec refers
to the same names. Rates carry their time base in the unit ("per day"); the model converts nothing
silently. Values marked ``assumption`` are not yet calibrated (calibration is issue 3); the basis
for each is given so a reviewer can judge it.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType


@dataclass(frozen=True)
class Parameter:
    name: str
    default: float
    unit: str
    low: float
    high: float
    source: str
    description: str


_A = "assumption (uncalibrated)"

_PARAMETERS = [
    # migrants at origin
    Parameter("departure_rate", 1 / 90, "per day", 1e-4, 0.5, f"{_A}; basis: aspirants typically prepare for "
              "months before leaving", "daily probability that an aspirant at origin sets out"),
    Parameter("deterrence", 0.0, "nest parameter", 0.0, 1.0, f"{_A}; 0 (off) until calibrated. Basis: "
              "a nested logit of staying against the paths on offer; Czaika & de Haas (IMI) find that restrictions "
              "deter some departures and divert others", "how far the departure rate follows the logsum of the "
              "origin's path utilities: 0 = routes only divert, 1 = plain nested logit"),
    Parameter("origin_give_up_rate", 1 / 365, "per day", 0.0, 0.1, _A,
              "daily probability that an aspirant abandons the plan to migrate"),
    Parameter("origin_conflict_elasticity", 0.0, "elasticity", 0.0, 3.0, f"{_A}; 0 (off) until calibrated. "
              "Basis: conflict displaces people and some move on abroad; the series is the IDMC stock of people "
              "displaced by conflict inside the origin countries (data/drivers)", "aspirants a month scale with "
              "((conflict IDPs + origin_conflict_offset) / (the same at the period's start)) to this power"),
    Parameter("origin_conflict_offset", 100_000.0, "persons", 0.0, 1e7, f"{_A}; not fitted. Basis: the order of "
              "magnitude below which displacement inside a country is too small to move its emigration: with the "
              "plain ratio, IDMC's figures for Egypt's North Sinai (4,100 people in 2014, 36,000 in 2017) made "
              "Egyptian aspirants 47 times more numerous in 2017 at the fitted elasticity (1.6 times with the offset), "
              "while the largest multipliers of the regions where millions are displaced change by 1-20% (West "
              "Africa 3.7 to 3.6, the Horn 12.3 to 11.9, Afghanistan 31.6 to 25.5)",
              "persons added to an origin's conflict IDPs, now and at the period's start, before their ratio is "
              "taken"),
    Parameter("origin_conflict_population_share", 0.0, "share", 0.0, 1.0, f"{_A}; 0 (off) until calibrated. "
              "Basis: displacement presses on emigration in proportion to the people it touches, so the same "
              "number of displaced weighs less in a populous origin (Pakistan and Bangladesh, 368 million in 2014, "
              "against Afghanistan, 32 million; UN WPP 2024, data/drivers); the population is the origin's at the "
              "period's start, so that its growth alone does not drive emigration",
              "share of an origin's population added, like origin_conflict_offset, to its conflict IDPs now and at "
              "the period's start before their ratio is taken"),
    Parameter("origin_conflict_memory_months", 0.0, "months", 0.0, 240.0, f"{_A}; 0 (off: the IDMC stock "
              "itself) until calibrated. Basis: the newly displaced are the ones deciding whether to move on, while "
              "years later most have settled, returned or left; the stocks of Afghanistan (0.8 to 4.2 million, "
              "2014-2024) and the Horn of Africa (6.1 to 18.0 million) only grew while their people's arrivals in "
              "Europe did not (IDMC via data/drivers; Frontex)", "e-folding time of the weight a displaced person "
              "carries in the conflict index after being displaced (each month's increase of the stock counts, "
              "fading as exp(-age / this))"),
    Parameter("origin_conflict_stock_weight", 1.0, "weight", 0.0, 1.0, f"{_A}; used only with "
              "origin_conflict_memory_months > 0. Basis: some of those displaced long ago still leave",
              "weight of the whole IDMC stock in the conflict index beside the recently displaced (1 with memory "
              "off: the stock alone)"),
    Parameter("origin_growth_elasticity", 0.0, "per percentage point", 0.0, 0.5, f"{_A}; 0 (off) until "
              "calibrated. Basis: an economic downturn at home (GDP per capita growth, World Bank WDI) adds to the "
              "reasons to leave", "aspirants a month scale with exp(-this x (growth - growth at the period's "
              "start))"),
    # first-asylum and transit hosts (data/network/hosts.csv): stocks in persons, not agents
    Parameter("host_onward_rate", 0.0, "per year", 0.0, 2.0, f"{_A}; 0 (off) until calibrated. Basis: most "
              "refugees stay in the first country of asylum (UNHCR Global Trends: about 70% are hosted in "
              "neighbouring countries), so the yearly share moving on is small but not nil",
              "yearly probability that a person in a first-asylum host stock moves on towards Europe, at the "
              "prospects and host conditions of the period's start"),
    Parameter("transit_onward_mult", 1.0, "ratio", 0.1, 50.0, f"{_A}; 1 (no difference) until calibrated. "
              "Basis: in the transit hosts (hosts.csv kind 'transit': Libya, Tunisia, Morocco, Algeria) people of "
              "the model's origins came to work or to move on, while most refugees in first-asylum hosts stay",
              "the onward hazard of a transit host relative to a first-asylum host (host_onward_rate x this)"),
    Parameter("host_exit_rate", 0.0, "per year", 0.0, 1.0, f"{_A}; 0 until calibrated: the UNHCR stocks that "
              "feed the hosts are net of returns already", "yearly probability that a person in a host stock "
              "leaves it other than towards Europe (returns home, resettlement, settling for good)"),
    Parameter("host_record_exits", 0.0, "share", 0.0, 1.0, f"{_A}; 0 (off) until calibrated. Basis: a fall in "
              "a host's UNHCR stock is people who left it - returned, were naturalised or resettled (Syrians in "
              "Türkiye 2022-2024), or moved on to Europe, whom the model draws itself, so 1 counts those twice",
              "share of the record's monthly fall in a host's stock taken out of the model's stock as exits other "
              "than towards Europe"),
    Parameter("host_outlook_elasticity", 1.0, "per unit of logsum", 0.0, 5.0, f"{_A}; basis: the nested logit "
              "that sets the transit give-up hazard (transit_deterrence), seen from the other side: better "
              "prospects ahead draw people on", "how far the onward hazard follows the prospects from the host's "
              "node: x exp(this x (L - L0)), L the averaged logsum of the onward paths' utilities"),
    Parameter("host_outlook_halflife_days", 90.0, "days", 1.0, 365.0, f"{_A}; 90, the half-life at which those "
              "waiting at a hub or coast judge the prospects (TRANSIT_OUTLOOK_HALFLIFE_DAYS), until calibrated. "
              "Basis: people living in a host may hear sooner or later than those on the move that the way on "
              "opened or closed", "half-life of the average of the outlook that the hosts' onward hazard follows"),
    Parameter("host_inflation_elasticity", 0.0, "per 100 percentage points", 0.0, 5.0, f"{_A}; 0 (off) until "
              "calibrated. Basis: an economic crisis in the host (Türkiye's lira in 2018 and 2021-2023, Lebanon "
              "from 2019) erodes what refugees earn there", "the onward hazard scales with exp(this x (inflation "
              "in the host - its value at the period's start) / 100)"),
    Parameter("settle_share", 0.0, "probability", 0.0, 1.0, f"{_A}; 0 (off: all go home) until calibrated. "
              "Basis: most migrants IOM DTM counts in Libya work there rather than wait to cross (600,000-700,000 "
              "present in 2018-2023 against 12,000-105,000 a year crossing to Italy)", "share of those who give up "
              "the journey at a node of a host stock (settle_nodes in hosts.csv) who stay in that country, joining "
              "its stock, rather than go home"),
    # following (sim/core/processes/following.py)
    Parameter("follow_per_arrival", 0.0, "persons per arrival", 0.0, 0.95, f"{_A}; 0 (off) until calibrated. "
              "Basis: migrant networks draw followers, and social media make the news of a successful crossing "
              "travel fast (Dekker & Engbersen 2014, Global Networks 14(4)); below 1 so that a flow is amplified "
              "but never feeds itself", "mean number of people who follow each arrival in Europe from the group "
              "it set out from (its origin or its host stock)"),
    Parameter("follow_days", 60.0, "days", 7.0, 365.0, f"{_A}; basis: news of an arrival reaches home within "
              "days, and followers need weeks to months to raise the money and set out", "mean delay between an "
              "arrival and those who follow it (exponential)"),
    # transit
    Parameter("hub_min_stay_days", 7.0, "days", 1.0, 90.0, _A,
              "shortest stay in a hub or at a coast to arrange the next leg"),
    Parameter("hub_give_up_rate", 1 / 720, "per day", 0.0, 0.1, f"{_A}; basis: many migrants in Libya and "
              "Morocco work there for years or go home (IOM DTM)", "daily probability that a waiting migrant "
              "settles in the transit country or goes home"),
    Parameter("transit_deterrence", 0.0, "per unit of logsum", 0.0, 5.0, f"{_A}; 0 (off) until calibrated. "
              "Basis: migrants stranded in Libya, Turkey or Morocco settle or go home when crossing becomes harder "
              "(Czaika & de Haas (IMI): restrictions deter as well as divert; many work in transit countries for "
              "years, IOM DTM)", "how far the transit give-up hazard follows the prospects ahead: hub_give_up_rate "
              "x exp(-theta (L - L0)), L the logsum of the onward paths' utilities; 0 = a constant hazard"),
    Parameter("transit_review_days", 30.0, "days", 1.0, 3650.0, f"{_A}; basis: the Central Med's month-scale "
              "responses to supply shocks (Sabratha, July 2017: -85% within two months; Tunisia's metal boats: "
              "departures x10 within a year; literature-survey.md 8.8 and 8.10) need the people already waiting to "
              "react, not only newcomers", "longest a migrant working towards a fee goes without looking again at "
              "fees and routes"),
    Parameter("transit_wage_mult", 1.0, "multiplier", 0.05, 20.0, f"{_A}; the wages in data/network/nodes.csv "
              "are uncalibrated assumptions, so their common level is left to calibration",
              "multiplier on every transit node's wage_eur_per_day: how fast migrants earn the next fee, and so "
              "how long they wait in hubs and at the coast"),
    Parameter("detention_days", 45.0, "days", 1.0, 365.0, _A,
              "mean time in detention after an interception before release or deportation"),
    Parameter("quit_after_interception", 0.3, "probability", 0.0, 1.0, f"{_A}; basis: Czaika & de Haas "
              "(IMI): restrictions deter some and divert others", "share of those released after an interception "
              "who give up (settle in the transit country or go home on their own)"),
    Parameter("reintegration_days", 180.0, "days", 1.0, 1000.0, _A,
              "time a returnee spends at origin before deciding whether to migrate again"),
    Parameter("remigrate_prob", 0.3, "probability", 0.0, 1.0, _A,
              "share of returnees who set out again"),
    Parameter("stranded_days", 90.0, "days", 7.0, 720.0, "definition used in outputs",
              "a migrant in transit longer than this at one place counts as stranded"),
    # route choice (multinomial logit over paths from the current node)
    Parameter("beta_fee", 1.0, "per 1,000 EUR", 0.0, 10.0, _A, "disutility of the remaining fees"),
    Parameter("beta_risk", 0.08, "per death per 1,000 attempts", 0.0, 2.0, f"{_A}; fitted in the baseline "
              "(calibration/baseline/fitted.yaml). Basis for a small weight: Central Mediterranean crossings rose "
              "to a record in 2016 as deaths rose to over 4,500 (Frontex Risk Analysis 2017, via "
              "shared/reference/literature-survey.md), and NGO rescue presence did not move departures (Cusumano "
              "& Villa 2019)", "disutility of perceived mortality on the path"),
    Parameter("beta_time", 0.3, "per 30 days", 0.0, 5.0, _A, "disutility of travel time"),
    Parameter("beta_success", 2.0, "per unit log-probability", 0.0, 10.0, _A,
              "utility of the perceived chance of not being intercepted"),
    Parameter("asc_central_med", 0.5, "utility", -10.0, 10.0, "assumption (route constant, to be calibrated); "
              "hand-set above zero: Libya was the main departure country for West and East Africans 2014-2017 "
              "(Frontex ARA 2015-2018)",
              "attractiveness of the route not captured by fees, time, risk and interception (networks, diaspora)"),
    Parameter("asc_eastern_med", 0.0, "utility", -10.0, 10.0, "assumption (route constant, to be calibrated)",
              "as asc_central_med, for the Eastern Mediterranean"),
    Parameter("asc_western_med", 0.0, "utility", -10.0, 10.0, "assumption (route constant, to be calibrated)",
              "as asc_central_med, for the Western Mediterranean"),
    Parameter("asc_atlantic", -1.0, "utility", -10.0, 10.0, "assumption (route constant, to be calibrated); "
              "hand-set below zero because the Atlantic carried few crossings 2014-2019 (Frontex) although it "
              "is the cheapest path from West Africa in data/network", "as asc_central_med, for the Atlantic"),
    Parameter("asc_from_tunisia", 0.0, "utility", -10.0, 10.0, "assumption (departure-country constant, to be "
              "calibrated); basis: few sub-Saharan or non-Tunisian Maghreb nationals left from Tunisia before 2022, "
              "when Libya was the main departure country (Frontex ARA 2015-2018; literature-survey.md 8.10)",
              "attractiveness of crossings that leave from Tunisia, beside the Central Med constant: the smuggling "
              "networks, entry routes and residence that the aggregate origins and the network do not carry"),
    Parameter("info_lag_days", 30.0, "days", 1.0, 365.0, f"{_A}; basis: news of deaths and interceptions "
              "reaches would-be migrants with a lag (literature.md: Hinsch & Bijak 2023)",
              "delay before outcomes on a crossing reach migrants' perceptions"),
    Parameter("info_halflife_days", 90.0, "days", 7.0, 1000.0, _A,
              "half-life of the memory of outcomes on a crossing"),
    # boats and the sea
    Parameter("boat_size_seaworthy", 60.0, "persons per boat", 1.0, 600.0, f"{_A}; basis: Frontex ARA 2020 "
              "reports an average of 55 migrants per vessel Turkey-Italy", "people on a seaworthy boat"),
    Parameter("boat_size_unseaworthy", 40.0, "persons per boat", 1.0, 300.0, _A,
              "people on an unseaworthy boat (rubber dinghy, iron boat)"),
    Parameter("distress_mult_unseaworthy", 4.0, "ratio", 1.0, 20.0, f"{_A}; basis: Deiana, Maheshri & "
              "Mastrobuoni (2024): flimsy rafts made crossings more dangerous",
              "distress probability of an unseaworthy boat relative to a seaworthy one"),
    Parameter("wreck_mortality", 0.5, "probability", 0.0, 1.0, _A,
              "share of people on a boat in unrescued distress who die or go missing"),
    *(Parameter(f"rescue_miss_mult_{route}", 1.0, "ratio", 0.01, 10.0, f"{_A}; 1 keeps the rescue_prob of "
                "data/network/authorities.csv, itself an uncalibrated assumption, so the level is left to "
                "calibration (one value per route, constant in time; dated changes in rescue enter as "
                "search_and_rescue entries in the scenario)", f"multiplier on the share of boats in distress "
                f"that the standing rescue services of the {label} miss (1 - rescue_prob of its arrival-side "
                "authorities)")
      for route, label in (("central_med", "Central Mediterranean"), ("eastern_med", "Eastern Mediterranean"),
                           ("western_med", "Western Mediterranean"), ("atlantic", "Atlantic"))),
    Parameter("overload_max", 1.5, "ratio", 1.0, 3.0, f"{_A}; basis: Pham & Komiyama (2024, PLOS ONE): "
              "smugglers trade the payoff of overcrowding against the cost of failed crossings",
              "most people a boat carries relative to its nominal size, when the queue is long"),
    Parameter("overload_distress_elasticity", 2.0, "ratio", 0.0, 6.0, _A,
              "distress probability scales with the load factor to this power"),
    Parameter("bad_weather_share_winter", 0.35, "probability", 0.0, 1.0, _A,
              "share of days with bad sea conditions in January (seasonal cosine, lowest in July)"),
    Parameter("bad_weather_share_summer", 0.05, "probability", 0.0, 1.0, _A,
              "share of days with bad sea conditions in July"),
    Parameter("bad_weather_distress_mult", 3.0, "ratio", 1.0, 20.0, _A,
              "distress probability in bad weather relative to calm weather"),
    Parameter("bad_weather_launch_base", 0.15, "probability", 0.0, 1.0, _A,
              "share of planned launches that go ahead in bad weather without rescue capacity"),
    Parameter("bad_weather_launch_sar", 0.5, "probability", 0.0, 1.0, f"{_A}; basis: Deiana et al. (2024) "
              "find smugglers sent boats in worse weather once SAR intensified",
              "extra share of launches in bad weather per unit of rescue probability"),
    Parameter("unseaworthy_share_base", 0.3, "probability", 0.0, 1.0, _A,
              "share of boats smugglers buy that are unseaworthy, without rescue capacity"),
    Parameter("unseaworthy_share_sar", 0.5, "probability", 0.0, 1.0, f"{_A}; basis: Deiana et al. (2024): "
              "shift from wooden boats to rafts after SAR intensified", "extra unseaworthy share per unit "
              "of rescue probability (the moral-hazard channel; contested by Cusumano & Villa 2019)"),
    Parameter("unseaworthy_share_seizure", 0.5, "probability", 0.0, 1.0, f"{_A}; basis: House of Lords EU "
              "Committee, 'Operation Sophia: a failed mission' (HL Paper 5, July 2017) and its May 2016 report "
              "(HL Paper 144): destroying smugglers' wooden boats led them to switch to rubber dinghies",
              "extra unseaworthy share per unit of the share of boat stock seized in a month"),
    # smugglers
    Parameter("cells_per_coast", 4.0, "cells", 1.0, 50.0, f"{_A}; basis: Campana (2018): no monopoly, "
              "each stage a competitive market", "independent smuggler cells at each departure point"),
    Parameter("organisers_per_cell", 3.0, "persons", 1.0, 50.0, _A, "organisers in a new cell"),
    Parameter("aides_per_organiser", 5.7, "persons", 0.0, 50.0, "Campana (2018): organisers ~15%, aides ~85% "
              "of 292 actors (85/15 = 5.7)", "aides working for each organiser"),
    Parameter("launches_per_organiser", 1.0, "boats per day", 0.01, 20.0, _A,
              "boats one organiser can launch a day with enough aides and boats"),
    Parameter("recruit_days", 30.0, "days", 1.0, 720.0, f"{_A}; basis: Duijn et al. (2014), Campana (2018): "
              "networks replace arrested members and rivals absorb demand", "mean time to replace an "
              "arrested member"),
    Parameter("organiser_recruit_mult", 3.0, "ratio", 1.0, 20.0, f"{_A}; basis: Campana (2018): organisers "
              "(~15%) hold the contacts and reputation customers rely on; Diviak (2023): removing central actors "
              "has the largest immediate impact", "time to replace an arrested organiser relative to an aide"),
    Parameter("promotion_rate", 0.05, "per day", 0.0, 1.0, f"{_A}; basis: Duijn et al. (2014): criminal "
              "networks recover from the removal of central actors", "daily probability that a cell short of "
              "organisers promotes an aide from a linked cell at the same departure point"),
    Parameter("cell_growth_rate", 0.05, "per day", 0.0, 1.0, _A,
              "daily probability that a cell turning customers away recruits an organiser"),
    Parameter("boat_cost_seaworthy", 14000.0, "EUR per boat", 100.0, 500000.0, "L'Unione Sarda (c.2022-23) "
              "via tables-b fees_and_facts.csv: 45,000 TND (~EUR 14,000) for a boat and fuel for 25 people",
              "price of a seaworthy boat"),
    Parameter("boat_cost_unseaworthy", 2000.0, "EUR per boat", 50.0, 100000.0, "Frontex Annual Risk Analysis "
              "2012: EUR 2,000 for a 4 m boat with a 15 hp engine, fuel and supplies (Tunisia, 2011)",
              "price of an unseaworthy boat"),
    Parameter("boat_stock_days", 10.0, "days", 1.0, 120.0, _A,
              "days of launches smugglers keep boats in stock for"),
    Parameter("price_adjust_rate", 0.01, "per day", 0.0, 0.5, _A,
              "speed at which a cell's price moves towards the demand- and risk-driven target"),
    Parameter("price_demand_elasticity", 0.3, "ratio", 0.0, 3.0, _A,
              "log change of target price per log change of demand over capacity"),
    Parameter("price_risk_premium", 1.0, "ratio", 0.0, 10.0, _A,
              "target price rises by this times the interception probability"),
    Parameter("fee_refund_on_interception", 0.0, "share", 0.0, 1.0, _A,
              "share of the base fee refunded after an interception"),
]

PARAMETERS: MappingProxyType[str, Parameter] = MappingProxyType({p.name: p for p in _PARAMETERS})


def defaults() -> dict[str, float]:
    return {name: p.default for name, p in PARAMETERS.items()}


def resolve(overrides: dict[str, float]) -> dict[str, float]:
    """Defaults updated by overrides; raises KeyError/ValueError naming the parameter and its bounds."""
    values = defaults()
    for name, value in overrides.items():
        if name not in PARAMETERS:
            raise KeyError(name)
        p = PARAMETERS[name]
        if not (p.low <= float(value) <= p.high):
            raise ValueError(f"{name}={value} is outside [{p.low}, {p.high}] {p.unit}")
        values[name] = float(value)
    return values


# Departure-country constants: the parameter adds to the utility of every path whose border crossing
# leaves from a node of that country (ISO code in data/network/nodes.csv).
DEPARTURE_CONSTANTS = {"asc_from_tunisia": "TN"}
