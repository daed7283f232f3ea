"""The synthetic demo: a seeded year (2017) of Namwon data written as realistic export
files, then imported through the same importer a user uses (:mod:`analytics.demo.store`).

EVERYTHING HERE IS SYNTHETIC. No row describes a real call, complaint or card. The
generator writes the kind of files an analyst would drop into the importer (it never
writes the store). Its modules, by job:

:mod:`analytics.demo.world`
    The year's calendar, the seeded random streams, landmarks, the deliberately bad
    rows and the synthetic address layer (building points) every source draws from.
:mod:`analytics.demo.places`
    Who calls from where: hotspots with their hot addresses, background propensities
    and the weekly wobble over the address layer.
:mod:`analytics.demo.incidents`, :mod:`analytics.demo.complaints`, :mod:`analytics.demo.suggestions`
    The rows of each source (suggestions: the hand-typed cards and the box log).
:mod:`analytics.demo.files`
    :func:`~analytics.demo.files.write_demo_exports`: the export files themselves
    (CP949 CSV, XLSX, UTF-8 CSVs) and a README beside them.

What is built in on purpose, so that the analysis has something to find:

* an address layer (:func:`~analytics.demo.world.address_layer`,
  :class:`~analytics.demo.world.AddressLayer`): about 14,000 synthetic building points
  along streets, dense in the seven urban dongs and the eup/myeon centres, sparse
  villages in the countryside, rounded to 0.01 m like a geocoder's output. Every
  incident inside the station is geocoded to one of them, so repeat calls share
  exactly one coordinate;
* crime concentration (Weisburd's law, 2015): about half of the incidents at 5% of
  the addresses that have any, a fifth or more at 1%. The hot addresses sit at the
  landmarks (markets, terminal, hanok village, theme park, station): the landmark's
  own building plus bars, motels and shops nearby, on Zipf-like weights; Baemsagol
  only in July and August, the hanok village peaking in festival week. Background
  addresses are houses, apartment complexes and venues (bars, convenience stores,
  PC rooms) with heavy-tailed propensities and kind-specific tastes (domestic calls
  from homes, drunk calls from venues). Hot addresses stay hot all year, with a
  weekly log-AR(1) wobble and a few problem households that flare up for weeks;
* background incidents spread over townships by population, mostly the urban dongs;
  :data:`~analytics.demo.incidents.OUTSIDE_SHARE` of incidents just outside the
  station boundary (those are not on the address layer);
* night and Fri/Sat peaks for drunk disturbances and violence, daytime market theft
  (more on the five-day market days), weekday fraud, the Chunhyang festival
  (:data:`~analytics.demo.world.FESTIVAL`) and the Chuseok traffic peak
  (:data:`~analytics.demo.world.CHUSEOK_HOLIDAY`);
* fear without crime: cards name dark alleys (요천 산책로, 도통동 원룸촌, 향교) whose
  buildings are on the address layer but never call
  (:data:`~analytics.demo.places.FEAR_ONLY_LANDMARKS`); crime without fear: no card
  ever names the bus terminal or Baemsagol.

Deliberately bad rows (counts are exact, see :data:`~analytics.demo.world.BAD_ROWS`):

* incidents: ``impossible_date`` (``2017-13-45 ..``), ``blank_date``,
  ``no_place_no_coords`` (blank 발생장소, X/Y), ``unknown_place`` (``우리집 앞``, no
  X/Y), ``non_numeric_coord`` (X좌표 ``확인중``);
* complaints: ``impossible_date`` (text ``2017.13.45``), ``unknown_place``
  (``우리집 앞``, no 위도/경도);
* cards: ``impossible_date`` (``2017.13.45``), ``unknown_place`` (``우리집 앞``);
* the box log has none.

Phone numbers are in the unused ``010-0000-`` range, e-mails at ``example.com`` and
the few resident-number-like strings are obviously fake (``900101-1000000``), so
that masking gets exercised without any real personal data.
"""
