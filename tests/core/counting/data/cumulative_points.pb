META
key;value
description;Cumulative ballots: each voter spreads 10 points
num_projects;4
num_votes;5
budget;1000
vote_type;cumulative
rule;greedy
max_sum_points;10
PROJECTS
project_id;cost;votes;name
1;600;22;Community kitchen
2;500;15;Transport to the court
3;400;9;Printing leaflets
4;300;4;First-aid kits
VOTES
voter_id;vote;points
1;1,2;6,4
2;1,3;5,5
3;2,4;6,4
4;1;10
5;2,3,1;5,4,1
