META
key;value
description;Points ballots counted by Equal Shares: 12 voters spread 5 points each (written for the tests)
num_projects;6
num_votes;12
budget;600
vote_type;cumulative
rule;equalshares
max_sum_points;5
PROJECTS
project_id;cost;votes;name
1;200;8;Bike racks
2;100;2;Library hours
3;100;17;Park benches
4;150;15;Street lights
5;100;10;Youth club
6;150;8;Tree planting
VOTES
voter_id;vote;points
1;3,4;2,3
2;3,6;3,2
3;1,2,3;2,1,2
4;5,6;2,3
5;1,3,5;1,1,3
6;4;5
7;4;5
8;1,4;4,1
9;3,5;4,1
10;3,4;4,1
11;1,3,5;1,1,3
12;2,5,6;1,1,3
