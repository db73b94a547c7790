META
key;value
description;Two groups of voters: greedy gives everything to the larger one, Equal Shares splits the money by group size
num_projects;6
num_votes;10
budget;600
vote_type;approval
rule;equalshares
PROJECTS
project_id;cost;votes;name
a1;200;6;Street lights on Kalinouskaha
a2;200;6;Benches in the yard
a3;200;6;Children's playground
b1;200;4;Free legal consultations
b2;200;4;Food parcels for strikers' families
b3;200;4;Medicines for the detained
VOTES
voter_id;vote
1;a1,a2,a3
2;a1,a2,a3
3;a1,a2,a3
4;a1,a2,a3
5;a1,a2,a3
6;a1,a2,a3
7;b1,b2,b3
8;b1,b2,b3
9;b1,b2,b3
10;b1,b2,b3
