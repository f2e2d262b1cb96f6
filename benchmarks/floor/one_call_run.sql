SELECT floor_post(:union, :year, :year_id, :bank, :income);
